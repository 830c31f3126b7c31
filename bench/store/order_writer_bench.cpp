// Order writer throughput into PostgreSQL: rows/s of insert_orders (one statement per batch,
// ON CONFLICT DO NOTHING plus the stock update) for batches of 100, 500 and 1000 rows, with one
// and four writers, all on one hot voucher (a flash sale) or a voucher per writer; and the same
// through PgPool from coroutines, the path the service takes.
//
// Needs SECKILL_TEST_POSTGRES_URL (bench/store/run.sh starts a private server). Works in its own
// schema, dropped at exit. Compare with /work/shared/LIMITS.md: ~174,000 rows/s for 100-row
// INSERT ... ON CONFLICT statements.

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <unistd.h>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "store/postgres/migrations.hpp"
#include "store/postgres/order_store.hpp"
#include "store/postgres/voucher_store.hpp"

namespace asio = boost::asio;
using namespace seckill::store::postgres;

namespace {

constexpr std::uint64_t kVouchers = 8;
PgConnectOptions g_options;
std::atomic<std::uint64_t> g_next_id{1};

std::vector<OrderRow> make_batch(std::int64_t size, std::uint64_t voucher_id) {
  std::vector<OrderRow> batch;
  batch.reserve(static_cast<std::size_t>(size));
  auto first = g_next_id.fetch_add(static_cast<std::uint64_t>(size));
  auto now = std::chrono::system_clock::now();
  for (std::uint64_t id = first; id < first + static_cast<std::uint64_t>(size); ++id) {
    batch.push_back({id, id, voucher_id, now});  // one user per order: every row is new
  }
  return batch;
}

/// Args: batch size, hot (1: every writer on voucher 1; 0: a voucher per writer).
void BM_WriteOrders(benchmark::State& state) {
  auto conn = PgConnection::connect(g_options);
  auto size = state.range(0);
  auto voucher_id =
      state.range(1) != 0 ? 1 : 1 + static_cast<std::uint64_t>(state.thread_index()) % kVouchers;
  std::int64_t rows = 0;
  for (auto _ : state) {
    auto batch = make_batch(size, voucher_id);
    auto n = insert_orders(conn, batch);
    benchmark::DoNotOptimize(n);
    rows += n;
  }
  state.SetItemsProcessed(rows);
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
}

/// The baseline of the same run: the same rows into a table with only the two unique keys (no
/// foreign key, no stock update), one `INSERT ... SELECT FROM unnest ... ON CONFLICT DO NOTHING`
/// per batch. Args: batch size.
void BM_BaselinePlainInsert(benchmark::State& state) {
  auto conn = PgConnection::connect(g_options);
  auto size = state.range(0);
  std::int64_t rows = 0;
  for (auto _ : state) {
    auto batch = make_batch(size, 1);
    PgArrayBuilder ids, users, vouchers, times;
    for (const auto& r : batch) {
      ids.add(r.order_id);
      users.add(r.user_id);
      vouchers.add(r.voucher_id);
      times.add(r.created_at);
    }
    auto n = conn.exec(
                     "insert into plain_orders select * from unnest($1::bigint[], $2::bigint[], "
                     "$3::bigint[], $4::timestamptz[]) on conflict do nothing",
                     {std::move(ids).finish(), std::move(users).finish(),
                      std::move(vouchers).finish(), std::move(times).finish()})
                 .affected_rows();
    benchmark::DoNotOptimize(n);
    rows += n;
  }
  state.SetItemsProcessed(rows);
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
}

asio::awaitable<void> pool_writer(PgOrderStore& store, std::int64_t size, std::uint64_t voucher_id,
                                  std::int64_t batches, std::atomic<std::int64_t>& rows) {
  for (std::int64_t b = 0; b < batches; ++b) {
    rows += co_await store.write_orders(make_batch(size, voucher_id));
  }
}

/// Args: batch size, writers (coroutines on one io_context; pool of 4 connections), all on the
/// hot voucher. Each iteration writes 8 batches per writer.
void BM_WriteOrdersViaPool(benchmark::State& state) {
  PgPoolOptions options;
  options.connect = g_options;
  options.size = 4;
  PgPool pool(options);
  PgOrderStore store(pool);
  auto size = state.range(0);
  auto writers = state.range(1);
  std::atomic<std::int64_t> rows{0};
  for (auto _ : state) {
    asio::io_context io;
    for (std::int64_t w = 0; w < writers; ++w) {
      asio::co_spawn(io, pool_writer(store, size, 1, 8, rows), asio::detached);
    }
    io.run();
  }
  state.SetItemsProcessed(rows.load());
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(rows.load()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_BaselinePlainInsert)
    ->ArgName("batch")
    ->Arg(100)
    ->Arg(1000)
    ->Threads(4)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK(BM_WriteOrders)
    ->ArgNames({"batch", "hot"})
    ->ArgsProduct({{100, 500, 1000}, {1}})
    ->Threads(1)
    ->Threads(4)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK(BM_WriteOrders)
    ->ArgNames({"batch", "hot"})
    ->ArgsProduct({{100, 500, 1000}, {0}})
    ->Threads(4)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK(BM_WriteOrdersViaPool)
    ->ArgNames({"batch", "writers"})
    ->ArgsProduct({{100, 500, 1000}, {4}})
    ->UseRealTime()
    ->MinTime(2.0)
    ->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  const char* url = std::getenv("SECKILL_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') {
    std::cerr << "SECKILL_TEST_POSTGRES_URL is not set: run bench/store/run.sh\n";
    return 2;
  }
  benchmark::Initialize(&argc, argv);
  g_options.conninfo = url;
  g_options.statement_timeout = std::chrono::seconds(60);
  auto admin = PgConnection::connect(g_options);
  std::string schema = "bench_orders_" + std::to_string(::getpid());
  admin.exec("create schema " + schema);  // a name made here, not outside input
  g_options.schema = schema;
  migrate(g_options);
  PgConnection::connect(g_options).exec(
      "create table plain_orders (id bigint primary key, user_id bigint, voucher_id bigint, "
      "created_at timestamptz, unique (user_id, voucher_id))");
  {
    auto c = PgConnection::connect(g_options);
    for (std::uint64_t v = 1; v <= kVouchers; ++v) {
      auto now = std::chrono::system_clock::now();
      insert_voucher(c, v,
                     {.title = "bench",
                      .stock = 1'000'000'000,
                      .begin_at = now,
                      .end_at = now + std::chrono::hours(1)});
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  {
    auto c = PgConnection::connect(g_options);
    std::int64_t bad = 0;
    for (const auto& a : select_stock_audit(c))
      bad += (a.stock_left + a.orders != a.stock_total);
    std::cout << "invariant stock_left + orders = stock_total: " << (bad == 0 ? "holds" : "BROKEN")
              << "\n";
  }
  admin.exec("drop schema " + schema + " cascade");
  return 0;
}
