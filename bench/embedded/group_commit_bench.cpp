// Group-commit throughput of the embedded store: orders committed durably per second
// (synchronous=FULL: each commit waits for the WAL fsync) by 1 writer, the baseline, and by 8
// and 64 concurrent writers, each writing one order at a time as a request does. With one
// writer every order pays a whole fsync; with many, the writer thread commits all orders queued
// meanwhile in one transaction and one fsync. `orders/commit` shows the grouping; compare the
// items_per_second of the /64 run with the /1 run of the same invocation.
//
// Also the whole embedded purchase path (EmbeddedStockGate::take: decide in memory, then await
// the group commit) with the same concurrency.
//
// Works in a directory under /tmp (or $SECKILL_BENCH_DIR, to measure another disk), removed at
// exit.

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "coordinator/embedded/embedded_stock_gate.hpp"
#include "store/sqlite/sqlite_sale_store.hpp"

namespace asio = boost::asio;
using namespace seckill;
using namespace seckill::store::sqlite;

namespace {

std::atomic<std::uint64_t> g_next_id{1'000'000};

std::filesystem::path bench_dir() {
  const char* base = std::getenv("SECKILL_BENCH_DIR");
  std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/seckill-bench-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
  return pattern;
}

/// A fresh store with one voucher of ample stock, removed when done.
struct Fixture {
  Fixture() : dir(bench_dir()), db(std::make_unique<SqliteDatabase>(options())), store(*db) {
    asio::io_context io;
    NewVoucher v{"bench", 1'000'000'000, std::chrono::system_clock::now(),
                 std::chrono::system_clock::now() + std::chrono::hours(1)};
    auto f = asio::co_spawn(io, store.create_voucher(1, std::move(v)), asio::use_future);
    io.run();
    voucher = f.get();
  }
  ~Fixture() {
    db.reset();
    std::filesystem::remove_all(dir);
  }
  SqliteDatabaseOptions options() const { return {.data_dir = dir}; }

  std::filesystem::path dir;
  std::unique_ptr<SqliteDatabase> db;
  SqliteSaleStore store;
  Voucher voucher;
};

Order next_order() {
  auto id = g_next_id.fetch_add(1);
  return {.id = id, .user_id = id, .voucher_id = 1, .created_at = std::chrono::system_clock::now()};
}

/// One writer: `count` orders, one after the other.
asio::awaitable<void> write_orders(SqliteSaleStore* store, int count) {
  for (int i = 0; i < count; ++i) {
    std::vector<Order> batch{next_order()};
    auto n = co_await store->write_orders(std::move(batch));
    benchmark::DoNotOptimize(n);
  }
}

asio::awaitable<void> take_orders(coordinator::embedded::EmbeddedStockGate* gate, int count) {
  for (int i = 0; i < count; ++i) {
    auto r = co_await gate->take(next_order());
    benchmark::DoNotOptimize(r);
  }
}

/// Runs `writers` coroutines of `per_writer` calls each over two io_contexts on two threads.
template <class Start>
void run_writers(int writers, Start start) {
  asio::io_context io1;
  asio::io_context io2;
  for (int w = 0; w < writers; ++w)
    asio::co_spawn(w % 2 == 0 ? io1 : io2, start(), asio::detached);
  std::thread t([&] { io2.run(); });
  io1.run();
  t.join();
}

/// Arg: concurrent writers.
void BM_GroupCommit(benchmark::State& state) {
  Fixture fx;
  const int writers = static_cast<int>(state.range(0));
  const int per_writer = writers == 1 ? 200 : std::max(8, 4'000 / writers);
  auto before = fx.db->writer_stats();
  std::int64_t orders = 0;
  for (auto _ : state) {
    run_writers(writers, [&] { return write_orders(&fx.store, per_writer); });
    orders += writers * per_writer;
  }
  auto after = fx.db->writer_stats();
  state.SetItemsProcessed(orders);
  state.counters["orders/commit"] =
      static_cast<double>(after.writes - before.writes) /
      static_cast<double>(std::max<std::uint64_t>(1, after.commits - before.commits));
}

void BM_GateTake(benchmark::State& state) {
  Fixture fx;
  coordinator::embedded::EmbeddedStockGate gate(fx.store);
  {
    asio::io_context io;
    asio::co_spawn(io, gate.load(fx.voucher), asio::detached);
    io.run();
  }
  const int writers = static_cast<int>(state.range(0));
  const int per_writer = writers == 1 ? 200 : std::max(8, 4'000 / writers);
  std::int64_t orders = 0;
  for (auto _ : state) {
    run_writers(writers, [&] { return take_orders(&gate, per_writer); });
    orders += writers * per_writer;
  }
  state.SetItemsProcessed(orders);
}

}  // namespace

BENCHMARK(BM_GroupCommit)->Arg(1)->Arg(8)->Arg(64)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GateTake)->Arg(1)->Arg(64)->UseRealTime()->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
