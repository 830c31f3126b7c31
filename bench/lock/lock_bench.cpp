// Lock acquire+release pairs per second, on Redis (SECKILL_TEST_REDIS_URL, e.g. under
// scripts/with-services) and in process:
//   uncontended   16 coroutines, each on a resource of its own
//   hot           16 coroutines on one resource: each release wakes the waiters (pub/sub)
// One iteration is 1,600 pairs. Usage: scripts/with-services build/release/bench/lock/lock_bench
// (without Redis, only the embedded cases run).

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "coordinator/embedded/embedded_lock_service.hpp"
#include "coordinator/redis/redis_lock_service.hpp"
#include "lock/distributed_lock.hpp"
#include "redis/client.hpp"
#include "redis/redis_url.hpp"

namespace {

namespace asio = boost::asio;
using namespace seckill;
using namespace std::chrono_literals;

constexpr int kWorkers = 16;
constexpr int kPairsPerWorker = 100;

asio::awaitable<void> worker(lock::DistributedLock& locks, std::string resource, int& done,
                             asio::io_context& io) {
  lock::AcquireOptions options;
  options.ttl = 10s;
  options.wait = 60s;
  options.retry = 1s;
  options.renew = false;  // pairs, not long jobs: no watchdog per acquisition
  for (int i = 0; i < kPairsPerWorker; ++i) {
    auto lease = co_await locks.acquire(resource, options);
    benchmark::DoNotOptimize(lease);
    if (lease) co_await locks.release(**lease);
  }
  if (++done == kWorkers) io.stop();
}

struct RedisSetup {
  asio::io_context io;
  std::unique_ptr<redis::Client> client;
  std::unique_ptr<coordinator::redis::RedisLockService> service;
};

RedisSetup* redis_setup() {
  static std::unique_ptr<RedisSetup> setup = [] {
    const char* url = std::getenv("SECKILL_TEST_REDIS_URL");
    if (!url) return std::unique_ptr<RedisSetup>{};
    auto s = std::make_unique<RedisSetup>();
    redis::ClientOptions options;
    options.connection.endpoint = redis::parse_redis_url(url).value();
    s->client = std::make_unique<redis::Client>(s->io, options);
    s->service = std::make_unique<coordinator::redis::RedisLockService>(
        *s->client, s->io.get_executor(), options.connection);
    auto connect = [](RedisSetup* rs) -> asio::awaitable<void> {
      co_await rs->client->connect();
      co_await rs->service->connect();
      rs->io.stop();
    };
    asio::co_spawn(s->io, connect(s.get()), asio::detached);
    s->io.run();
    return s;
  }();
  return setup.get();
}

void run_pairs(benchmark::State& state, asio::io_context& io, lock::LockService& service,
               bool hot) {
  lock::DistributedLock locks(service);
  int round = 0;
  for (auto _ : state) {
    int done = 0;
    for (int w = 0; w < kWorkers; ++w) {
      auto resource = hot ? "bench:hot:" + std::to_string(round)
                          : "bench:own:" + std::to_string(round) + ":" + std::to_string(w);
      asio::co_spawn(io, worker(locks, resource, done, io), asio::detached);
    }
    io.restart();
    io.run();
    ++round;
  }
  state.counters["pairs/s"] =
      benchmark::Counter(kWorkers * kPairsPerWorker, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_RedisLock(benchmark::State& state) {
  auto* s = redis_setup();
  if (!s) {
    state.SkipWithError("SECKILL_TEST_REDIS_URL is not set (run under scripts/with-services)");
    return;
  }
  run_pairs(state, s->io, *s->service, state.range(0) == 1);
}

void BM_EmbeddedLock(benchmark::State& state) {
  asio::io_context io;
  coordinator::embedded::EmbeddedLockService service;
  run_pairs(state, io, service, state.range(0) == 1);
}

BENCHMARK(BM_RedisLock)->ArgName("hot")->Arg(0)->Arg(1)->UseRealTime()->MinTime(3.0);
BENCHMARK(BM_EmbeddedLock)->ArgName("hot")->Arg(0)->Arg(1)->UseRealTime()->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
