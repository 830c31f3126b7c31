// Ids per second from IdGenerator::try_next() in the steady state (the in-memory source, so the
// figures are the generator's own cost), from one thread and from several sharing one generator.
// A miss (try_next() found no block ready) is counted, not waited for: in the steady state there
// should be none.

#include <memory>
#include <thread>

#include <benchmark/benchmark.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "id/id_generator.hpp"
#include "id/id_layout.hpp"
#include "id/in_memory_sequence_source.hpp"

namespace {

namespace asio = boost::asio;
using seckill::id::IdGenerator;
using seckill::id::IdGeneratorOptions;

/// One generator per configuration for the whole run, its fetches on a thread of their own.
class Setup {
 public:
  explicit Setup(IdGeneratorOptions options)
      : guard_(asio::make_work_guard(io_)),
        thread_([this] { io_.run(); }),
        generator_(io_.get_executor(), std::make_shared<seckill::id::InMemorySequenceSource>(),
                   std::move(options)) {
    // Warm up: past the first blocks and their growth.
    for (int i = 0; i < 20'000'000; ++i)
      (void)generator_.try_next();
  }
  ~Setup() {
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  IdGenerator& generator() { return generator_; }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
  IdGenerator generator_;
};

IdGenerator& coarse_clock_generator() {
  static Setup setup({});
  return setup.generator();
}

IdGenerator& exact_clock_generator() {
  static Setup setup({.clock = [] { return std::chrono::system_clock::now(); }});
  return setup.generator();
}

void run(benchmark::State& state, IdGenerator& gen) {
  std::int64_t misses = 0;
  for (auto _ : state) {
    auto id = gen.try_next();
    if (!id) ++misses;
    benchmark::DoNotOptimize(id);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["misses"] = static_cast<double>(misses);
}

void BM_TryNext(benchmark::State& state) {
  run(state, coarse_clock_generator());
}
void BM_TryNextExactClock(benchmark::State& state) {
  run(state, exact_clock_generator());
}

void BM_Encode(benchmark::State& state) {
  std::uint32_t sequence = 0;
  for (auto _ : state) {
    auto id = seckill::id::encode(12'345'678, ++sequence);
    benchmark::DoNotOptimize(id);
  }
  state.SetItemsProcessed(state.iterations());
}

// Construct the generators before timing starts, not inside the first measured run.
const bool kWarm = (coarse_clock_generator(), exact_clock_generator(), true);

}  // namespace

BENCHMARK(BM_Encode);
BENCHMARK(BM_TryNext)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();
BENCHMARK(BM_TryNextExactClock)->Threads(1)->Threads(2)->UseRealTime();

BENCHMARK_MAIN();
