// The order writer end to end, the path every instance runs: orders decided on Redis by
// take_order.lua pile up in the voucher's stream while no writer runs (a sale faster than the
// store), then W order writers (the consumers of W instances, each with its own PostgreSQL pool)
// drain it into PostgreSQL: XREADGROUP, one transaction per batch, XACK. The time is from the
// writers' start to the last order stored; rows/s is what issue #7 asks of the writer
// (>= 50,000 rows/s, and a backlog back to zero within 1 s of the sale's end).
//
// Needs SECKILL_TEST_REDIS_URL and SECKILL_TEST_POSTGRES_URL: `bench/sale/drain.sh` starts a
// private Redis and PostgreSQL (scripts/with-services) and stops them afterwards. Works in its
// own PostgreSQL schema, dropped at exit; vouchers are new per iteration.

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "coordinator/redis/redis_order_queue.hpp"
#include "coordinator/redis/redis_stock_gate.hpp"
#include "redis/client.hpp"
#include "redis/redis_url.hpp"
#include "sale/order_writer.hpp"
#include "store/postgres/migrations.hpp"
#include "store/postgres/pg_pool.hpp"
#include "store/postgres/pg_sale_store.hpp"

namespace asio = boost::asio;
using namespace seckill;
using namespace std::chrono_literals;

namespace {

seckill::redis::ClientOptions g_redis;
store::postgres::PgConnectOptions g_postgres;
std::atomic<std::uint64_t> g_next_id{1};

asio::awaitable<void> pause(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

// One decider: takes `count` distinct users' orders, one after the other.
asio::awaitable<void> take_orders(coordinator::redis::RedisStockGate& gate,
                                  std::uint64_t voucher_id, std::uint64_t first_id,
                                  std::uint64_t count, std::atomic<std::uint64_t>& taken,
                                  std::atomic<std::uint64_t>& finished) {
  for (std::uint64_t i = 0; i < count; ++i) {
    Order order{first_id + i, first_id + i, voucher_id, std::chrono::system_clock::now(),
                OrderStatus::pending};
    auto result = co_await gate.take(std::move(order));
    if (result.outcome == sale::TakeOutcome::taken) ++taken;
  }
  ++finished;
}

struct Drain {
  std::uint64_t taken = 0;
  std::chrono::steady_clock::duration time{};
};

// One iteration: the backlog (a voucher of exactly `orders` units, sold out to distinct users
// before any writer runs), then its drain by one writer per store, timed.
asio::awaitable<Drain> fill_and_drain(
    asio::io_context& io, std::vector<std::unique_ptr<store::postgres::PgSaleStore>>& stores,
    std::uint64_t orders, delivery::BatchWriterOptions writer_options) {
  Drain result;
  auto executor = io.get_executor();
  seckill::redis::Client client(io, g_redis);
  co_await client.connect();
  coordinator::redis::RedisStockGate gate(client);

  const std::uint64_t voucher_id = g_next_id.fetch_add(orders + 1);
  const auto now = std::chrono::system_clock::now();
  NewVoucher spec{.title = "drain bench",
                  .stock = static_cast<std::int64_t>(orders),
                  .begin_at = now - 1h,
                  .end_at = now + 1h};
  auto voucher = co_await stores.front()->create_voucher(voucher_id, std::move(spec));
  co_await gate.load(std::move(voucher));

  constexpr std::uint64_t kDeciders = 256;
  std::atomic<std::uint64_t> taken{0}, deciders_done{0};
  for (std::uint64_t d = 0; d < kDeciders; ++d) {
    const std::uint64_t from = orders * d / kDeciders, to = orders * (d + 1) / kDeciders;
    asio::co_spawn(
        executor,
        take_orders(gate, voucher_id, voucher_id + 1 + from, to - from, taken, deciders_done),
        asio::detached);
  }
  while (deciders_done.load() < kDeciders)
    co_await pause(1ms);
  result.taken = taken.load();

  std::vector<std::unique_ptr<coordinator::redis::RedisOrderQueue>> queues;
  std::vector<std::unique_ptr<sale::OrderWriter>> writers;
  for (auto& store : stores) {
    queues.push_back(std::make_unique<coordinator::redis::RedisOrderQueue>(
        client, coordinator::redis::unique_consumer_name()));
    writers.push_back(std::make_unique<sale::OrderWriter>(*queues.back(), *store, writer_options));
  }
  std::atomic<std::size_t> writers_done{0};
  const auto start = std::chrono::steady_clock::now();
  for (auto& w : writers)
    asio::co_spawn(executor, w->run(), [&](std::exception_ptr) { ++writers_done; });
  for (;;) {
    std::uint64_t written = 0;
    for (const auto& w : writers)
      written += w->stats().written.load();
    if (written >= result.taken) break;
    co_await pause(1ms);
  }
  result.time = std::chrono::steady_clock::now() - start;
  for (auto& w : writers)
    w->stop();
  while (writers_done.load() < writers.size())
    co_await pause(5ms);
  client.close();
  co_return result;
}

/// Args: writers (instances, each with its own pool of 4 PostgreSQL connections), orders in the
/// backlog, batch (entries per read and per transaction; the service's default is 500), batches
/// in flight per writer (1: one after the other; the service runs 3).
void BM_DrainOrderStream(benchmark::State& state) {
  const auto writer_count = static_cast<std::size_t>(state.range(0));
  const auto orders = static_cast<std::uint64_t>(state.range(1));
  delivery::BatchWriterOptions writer_options;
  writer_options.batch = static_cast<std::size_t>(state.range(2));
  writer_options.in_flight = static_cast<std::size_t>(state.range(3));

  std::vector<std::unique_ptr<store::postgres::PgPool>> pools;
  std::vector<std::unique_ptr<store::postgres::PgSaleStore>> stores;
  for (std::size_t w = 0; w < writer_count; ++w) {
    store::postgres::PgPoolOptions pool_options;
    pool_options.connect = g_postgres;
    pools.push_back(std::make_unique<store::postgres::PgPool>(pool_options));
    stores.push_back(std::make_unique<store::postgres::PgSaleStore>(*pools.back()));
  }

  std::uint64_t stored = 0;
  for (auto _ : state) {
    asio::io_context io;
    auto drain =
        asio::co_spawn(io, fill_and_drain(io, stores, orders, writer_options), asio::use_future);
    io.run();
    auto result = drain.get();
    if (result.taken != orders) {
      state.SkipWithError("the backlog was not filled: fewer orders taken than asked");
      break;
    }
    state.SetIterationTime(std::chrono::duration<double>(result.time).count());
    stored += result.taken;
  }
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(stored), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_DrainOrderStream)
    ->ArgNames({"writers", "orders", "batch", "in_flight"})
    ->ArgsProduct({{1, 3}, {100'000}, {500}, {1, 3}})
    ->UseManualTime()
    ->Iterations(2)
    ->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  const char* redis_url = std::getenv("SECKILL_TEST_REDIS_URL");
  const char* pg_url = std::getenv("SECKILL_TEST_POSTGRES_URL");
  if (redis_url == nullptr || *redis_url == '\0' || pg_url == nullptr || *pg_url == '\0') {
    std::cerr << "SECKILL_TEST_REDIS_URL and SECKILL_TEST_POSTGRES_URL are not set: run "
                 "bench/sale/drain.sh\n";
    return 2;
  }
  benchmark::Initialize(&argc, argv);
  auto endpoint = seckill::redis::parse_redis_url(redis_url);
  if (!endpoint) {
    std::cerr << "SECKILL_TEST_REDIS_URL: " << endpoint.error() << "\n";
    return 2;
  }
  g_redis.connection.endpoint = *endpoint;
  g_postgres.conninfo = pg_url;
  g_postgres.statement_timeout = std::chrono::seconds(60);
  auto admin = store::postgres::PgConnection::connect(g_postgres);
  std::string schema = "bench_drain_" + std::to_string(::getpid());
  admin.exec("create schema " + schema);  // a name made here, not outside input
  g_postgres.schema = schema;
  store::postgres::migrate(g_postgres);
  // Ids above anything another run left in this Redis (the streams are keyed by voucher id).
  g_next_id = (std::random_device{}() % 1'000'000 + 1) * 1'000'000'000ULL;

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  admin.exec("drop schema " + schema + " cascade");
  return 0;
}
