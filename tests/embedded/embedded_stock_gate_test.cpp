#include "coordinator/embedded/embedded_stock_gate.hpp"

#include <atomic>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "coordinator/embedded/embedded_id_source.hpp"
#include "id/id_layout.hpp"
#include "store/sqlite/sqlite_sale_store.hpp"
#include "temp_dir.hpp"

// The embedded coordinator against the real SQLite store (no stand-ins): a take is answered
// only once its order is committed, and the store always agrees with the gate.

namespace asio = boost::asio;
using namespace std::chrono;
using namespace seckill;
using namespace seckill::coordinator::embedded;
using namespace seckill::store::sqlite;
using sale::TakeOutcome;
using seckill::testing::run;
using seckill::testing::TempDir;

namespace {

const SysTime kBegin = sys_days{year{2026} / 11 / 22} + 10h;

NewVoucher voucher(std::int64_t stock) {
  return {.title = "ten percent off", .stock = stock, .begin_at = kBegin, .end_at = kBegin + 1h};
}

Order order(std::uint64_t id, std::uint64_t user, std::uint64_t voucher_id) {
  return {.id = id, .user_id = user, .voucher_id = voucher_id, .created_at = kBegin};
}

/// A store and a gate on it, rebuilt from the store as at start.
struct Embedded {
  explicit Embedded(const TempDir& dir) : db({.data_dir = dir.path()}), store(db), gate(store) {
    auto views = store.store_views_now();
    gate.restore(views);
  }
  std::uint64_t create(std::uint64_t id, std::int64_t stock) {
    auto v = run(store.create_voucher(id, voucher(stock)));
    run(gate.load(v));
    return v.id;
  }
  SqliteDatabase db;
  SqliteSaleStore store;
  EmbeddedStockGate gate;
};

struct Tally {
  std::atomic<int> taken{0};
  std::atomic<int> sold_out{0};
  std::atomic<int> already_ordered{0};
  std::atomic<int> failed{0};
};

asio::awaitable<void> take_one(EmbeddedStockGate* gate, Order o, Tally* tally) {
  try {
    auto r = co_await gate->take(o);
    switch (r.outcome) {
      case TakeOutcome::taken:
        tally->taken.fetch_add(1);
        break;
      case TakeOutcome::sold_out:
        tally->sold_out.fetch_add(1);
        break;
      case TakeOutcome::already_ordered:
        tally->already_ordered.fetch_add(1);
        break;
      case TakeOutcome::unknown_voucher:
        tally->failed.fetch_add(1);
        break;
    }
  } catch (const InfraError&) {
    tally->failed.fetch_add(1);
  }
}

/// Runs every take at once, spread over two io_contexts on two threads.
void race(EmbeddedStockGate& gate, const std::vector<Order>& orders, Tally& tally) {
  asio::io_context io1;
  asio::io_context io2;
  for (std::size_t i = 0; i < orders.size(); ++i)
    asio::co_spawn(i % 2 == 0 ? io1 : io2, take_one(&gate, orders[i], &tally), asio::detached);
  std::thread t1([&] { io1.run(); });
  std::thread t2([&] { io2.run(); });
  t1.join();
  t2.join();
}

std::int64_t stored_stock(SqliteSaleStore& store, std::uint64_t voucher_id) {
  return run(store.find_voucher(voucher_id)).value().stock_left;
}

}  // namespace

TEST(EmbeddedStockGate, SellsExactlyTheStockToConcurrentBuyers) {
  TempDir dir;
  Embedded e(dir);
  auto v = e.create(1, 100);
  std::vector<Order> orders;
  for (std::uint64_t u = 1; u <= 2'000; ++u)
    orders.push_back(order(10'000 + u, u, v));
  Tally tally;
  race(e.gate, orders, tally);

  EXPECT_EQ(tally.taken, 100);
  EXPECT_EQ(tally.sold_out, 1'900);
  EXPECT_EQ(tally.failed, 0);
  EXPECT_EQ(run(e.gate.stock_left(v)), 0);
  EXPECT_EQ(stored_stock(e.store, v), 0);
  auto views = e.store.store_views_now();
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].orders.size(), 100u);
  // The gate and the store agree exactly, and nothing is left in flight.
  EXPECT_TRUE(sale::audit(views[0], e.gate.view(v)).empty());
}

TEST(EmbeddedStockGate, OneOrderPerUserUnderARace) {
  TempDir dir;
  Embedded e(dir);
  auto v = e.create(1, 100);
  std::vector<Order> orders;
  for (std::uint64_t i = 0; i < 200; ++i)
    orders.push_back(order(10'000 + i, 42, v));
  Tally tally;
  race(e.gate, orders, tally);

  EXPECT_EQ(tally.taken, 1);
  EXPECT_EQ(tally.already_ordered, 199);
  EXPECT_EQ(run(e.gate.stock_left(v)), 99);
  EXPECT_EQ(stored_stock(e.store, v), 99);
  EXPECT_EQ(e.store.store_views_now()[0].orders.size(), 1u);
}

TEST(EmbeddedStockGate, TakenMeansStored) {
  TempDir dir;
  Embedded e(dir);
  auto v = e.create(1, 3);
  auto r = run(e.gate.take(order(500, 7, v)));
  EXPECT_EQ(r.outcome, TakeOutcome::taken);
  EXPECT_EQ(r.stock_left, 2);
  auto stored = run(e.store.find_order(500));
  ASSERT_TRUE(stored) << "answered before it was stored";
  EXPECT_EQ(stored->status, OrderStatus::confirmed);
  EXPECT_FALSE(run(e.gate.find_pending(500)));
  auto again = run(e.gate.take(order(501, 7, v)));
  EXPECT_EQ(again.outcome, TakeOutcome::already_ordered);
  EXPECT_EQ(again.held_order_id, 500u) << "the order the user holds";
  EXPECT_EQ(run(e.gate.take(order(502, 8, 999))).outcome, TakeOutcome::unknown_voucher);
  EXPECT_FALSE(run(e.gate.stock_left(999)));
}

TEST(EmbeddedStockGate, LoadIsIdempotent) {
  TempDir dir;
  Embedded e(dir);
  auto v = run(e.store.create_voucher(1, voucher(5)));
  run(e.gate.load(v));
  EXPECT_EQ(run(e.gate.take(order(500, 7, 1))).outcome, TakeOutcome::taken);
  run(e.gate.load(v));  // the voucher as created, stock 5: the live 4 and the buyer stay
  EXPECT_EQ(run(e.gate.stock_left(1)), 4);
  EXPECT_EQ(run(e.gate.take(order(501, 7, 1))).outcome, TakeOutcome::already_ordered);
}

TEST(EmbeddedStockGate, AFailedWriteTakesNothing) {
  TempDir dir;
  Embedded e(dir);
  auto v = e.create(1, 5);
  EXPECT_EQ(run(e.gate.take(order(500, 7, v))).outcome, TakeOutcome::taken);
  // The voucher's row vanishes behind the gate's back (another connection, as an operator
  // would): the next order's insert breaks the foreign key and the write fails.
  {
    auto c = SqliteConnection::open(dir.path() / "seckill.db", false);
    c.exec_script("pragma busy_timeout = 5000; delete from orders; delete from vouchers;");
  }
  EXPECT_THROW(run(e.gate.take(order(501, 8, v))), InfraError);
  EXPECT_EQ(run(e.gate.stock_left(v)), 4) << "the unit is given back";
  auto view = e.gate.view(v);
  EXPECT_FALSE(view.buyers.contains(8)) << "the user is not a buyer";
  EXPECT_EQ(view.queued, 0u);

  // Once the row is back the same user buys: nothing of the failed take was left behind.
  {
    auto c = SqliteConnection::open(dir.path() / "seckill.db", false);
    c.exec_script(
        "insert into vouchers (id, title, stock_total, stock_left, begin_at, end_at, created_at) "
        "values (1, 'back', 5, 4, 0, 1, 0)");
  }
  EXPECT_EQ(run(e.gate.take(order(502, 8, v))).outcome, TakeOutcome::taken);
  EXPECT_EQ(run(e.gate.stock_left(v)), 3);
  EXPECT_EQ(stored_stock(e.store, v), 3);
}

TEST(EmbeddedStockGate, AStoppedStoreTakesNothing) {
  TempDir dir;
  Embedded e(dir);
  auto v = e.create(1, 5);
  e.db.stop();
  EXPECT_THROW(run(e.gate.take(order(500, 7, v))), IoError);
  EXPECT_EQ(run(e.gate.stock_left(v)), 5);
  EXPECT_TRUE(e.gate.view(v).buyers.empty());
}

TEST(EmbeddedStockGate, IsRebuiltFromTheStoreAfterARestart) {
  TempDir dir;
  sale::CoordinatorView before_a;
  sale::CoordinatorView before_b;
  {
    Embedded e(dir);
    e.create(1, 3);
    e.create(2, 10);
    for (std::uint64_t u = 1; u <= 5; ++u) {
      run(e.gate.take(order(100 + u, u, 1)));
      run(e.gate.take(order(200 + u, u, 2)));
    }
    before_a = e.gate.view(1);
    before_b = e.gate.view(2);
  }
  Embedded e(dir);
  auto a = e.gate.view(1);
  auto b = e.gate.view(2);
  EXPECT_EQ(a.stock_left, 0);
  EXPECT_EQ(b.stock_left, 5);
  EXPECT_EQ(a.stock_left, before_a.stock_left);
  EXPECT_EQ(a.buyers, before_a.buyers);
  EXPECT_EQ(b.stock_left, before_b.stock_left);
  EXPECT_EQ(b.buyers, before_b.buyers);
  EXPECT_EQ(a.buyers.size(), 3u);
  EXPECT_EQ(run(e.gate.take(order(300, 1, 2))).outcome, TakeOutcome::already_ordered);
  EXPECT_EQ(run(e.gate.take(order(301, 9, 1))).outcome, TakeOutcome::sold_out);
  EXPECT_EQ(run(e.gate.take(order(302, 9, 2))).outcome, TakeOutcome::taken);
  for (const auto& view : e.store.store_views_now())
    EXPECT_TRUE(sale::audit(view, e.gate.view(view.voucher_id)).empty());
}

TEST(EmbeddedIdSource, IdsAfterARestartAreLargerThanEveryStoredId) {
  TempDir dir;
  // An id from an hour ahead of this clock (a clock that stepped back since it was issued).
  const auto ahead = id::seconds_since_epoch(system_clock::now() + 1h).value();
  const auto future_id = id::encode(ahead, 77);
  std::uint64_t last = 0;
  {
    Embedded e(dir);
    auto v = e.create(1, 100);
    asio::io_context io;
    EmbeddedIdSource ids(io.get_executor(), e.store.max_id_now());
    for (std::uint64_t u = 1; u <= 10; ++u) {
      auto id = seckill::testing::run_on(io, ids.next_id());
      EXPECT_GT(id, last);
      last = id;
      run(e.gate.take(order(id, u, v)));
    }
    run(e.gate.take(order(future_id, 99, v)));
  }  // as after kill -9: nothing but the store survives
  Embedded e(dir);
  const auto stored_max = e.store.max_id_now();
  EXPECT_EQ(stored_max, future_id);
  asio::io_context io;
  EmbeddedIdSource ids(io.get_executor(), stored_max);
  for (int i = 0; i < 1'000; ++i) {
    auto id = seckill::testing::run_on(io, ids.next_id());
    ASSERT_GT(id, future_id);
  }
}
