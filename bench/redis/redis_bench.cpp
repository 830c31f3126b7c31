// Pipelined INCR throughput of our Redis client against a live server: many coroutines sharing
// one connection, two connections, and through Client. Compare with
// `redis-benchmark -P 16 -t incr` on the same server: bench/redis/run.sh does both.
//
// The server is SECKILL_BENCH_REDIS_URL, else SECKILL_TEST_REDIS_URL (scripts/with-services).

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "redis/client.hpp"
#include "redis/connection.hpp"
#include "redis/redis_url.hpp"

namespace {

namespace asio = boost::asio;
using seckill::redis::Client;
using seckill::redis::ClientOptions;
using seckill::redis::Connection;
using seckill::redis::ConnectionOptions;

// The key redis-benchmark's INCR test uses (without -r), so both hit the same kind of work.
constexpr std::string_view kKey = "counter:__rand_int__";
constexpr std::int64_t kRequestsPerIteration = 200'000;

struct Run {
  std::int64_t remaining_workers = 0;
  std::int64_t failures = 0;
  asio::io_context* io = nullptr;
};

template <typename Target>
asio::awaitable<void> worker(Target* target, std::int64_t requests, Run* run) {
  for (std::int64_t i = 0; i < requests; ++i) {
    try {
      auto reply = co_await target->command({"INCR", kKey});
      benchmark::DoNotOptimize(reply);
    } catch (const std::exception&) {
      ++run->failures;
    }
  }
  if (--run->remaining_workers == 0) run->io->stop();
}

// Runs kRequestsPerIteration INCRs spread over `coroutines` workers, round-robin over `targets`.
template <typename Target>
void run_iteration(asio::io_context& io, std::vector<Target*> targets, std::int64_t coroutines,
                   benchmark::State& state) {
  Run run{coroutines, 0, &io};
  const std::int64_t each = kRequestsPerIteration / coroutines;
  for (std::int64_t i = 0; i < coroutines; ++i) {
    Target* target = targets[static_cast<std::size_t>(i) % targets.size()];
    asio::co_spawn(io, worker(target, each, &run), asio::detached);
  }
  io.restart();
  io.run();
  if (run.failures != 0) state.SkipWithError("requests failed");
  state.SetItemsProcessed(state.items_processed() + each * coroutines);
}

ConnectionOptions options_from_env() {
  const char* url = std::getenv("SECKILL_BENCH_REDIS_URL");
  if (url == nullptr) url = std::getenv("SECKILL_TEST_REDIS_URL");
  if (url == nullptr) {
    std::fprintf(stderr, "set SECKILL_BENCH_REDIS_URL or run under scripts/with-services\n");
    std::exit(2);
  }
  auto urls = seckill::redis::parse_redis_urls(url);
  if (!urls) {
    std::fprintf(stderr, "%s\n", urls.error().c_str());
    std::exit(2);
  }
  ConnectionOptions options;
  options.endpoint = urls->front();
  options.request_timeout = std::chrono::seconds(10);
  return options;
}

asio::awaitable<void> connect_all(std::vector<Connection*> connections) {
  for (Connection* c : connections)
    co_await c->connect();
}

void BM_Connections(benchmark::State& state) {
  asio::io_context io(1);
  std::vector<std::unique_ptr<Connection>> owned;
  std::vector<Connection*> connections;
  for (std::int64_t i = 0; i < state.range(0); ++i) {
    owned.push_back(std::make_unique<Connection>(io.get_executor(), options_from_env()));
    connections.push_back(owned.back().get());
  }
  asio::co_spawn(io, connect_all(connections), [&io](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
    io.stop();
  });
  io.run();
  for (auto _ : state)
    run_iteration(io, connections, state.range(1), state);
  for (auto& c : owned)
    c->close();
  io.restart();
  io.poll();
}

void BM_Client(benchmark::State& state) {
  asio::io_context io(1);
  Client client(
      io, ClientOptions{options_from_env(), static_cast<std::size_t>(state.range(0)), {}, {}});
  asio::co_spawn(io, client.connect(), [&io](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
    io.stop();
  });
  io.run();
  for (auto _ : state)
    run_iteration(io, std::vector<Client*>{&client}, state.range(1), state);
  client.close();
  io.restart();
  io.poll();
}

}  // namespace

BENCHMARK(BM_Connections)
    ->ArgNames({"connections", "coroutines"})
    ->Args({1, 64})
    ->Args({1, 800})
    ->Args({1, 4000})
    ->Args({2, 800})
    ->Args({2, 4000})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Client)
    ->ArgNames({"connections", "coroutines"})
    ->Args({1, 800})
    ->Args({2, 800})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
