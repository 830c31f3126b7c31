#include <algorithm>
#include <atomic>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "pg_test_schema.hpp"
#include "store/postgres/order_store.hpp"
#include "store/postgres/pg_sale_store.hpp"
#include "store/postgres/pg_time.hpp"
#include "store/postgres/voucher_store.hpp"

namespace asio = boost::asio;
using namespace std::chrono;
using namespace seckill::store::postgres;
using seckill::NewVoucher;
using seckill::testing::PgTestSchema;

namespace {

const seckill::SysTime kBegin = sys_days{year{2026} / 11 / 22} + 10h;

NewVoucher voucher(std::int64_t stock) {
  return {.title = "ticket", .stock = stock, .begin_at = kBegin, .end_at = kBegin + 1h};
}

OrderRow row(std::uint64_t id, std::uint64_t user, std::uint64_t voucher_id) {
  return {id, user, voucher_id, kBegin + microseconds(id)};
}

std::int64_t stock_left(PgConnection& c, std::uint64_t voucher_id) {
  return select_voucher(c, voucher_id).value().stock_left;
}

}  // namespace

TEST(VoucherStore, CreateFindList) {
  PgTestSchema schema("vouchers");
  auto c = schema.connect();
  auto created = insert_voucher(c, 7, voucher(100));
  EXPECT_EQ(created.id, 7u);
  EXPECT_EQ(created.title, "ticket");
  EXPECT_EQ(created.stock_total, 100);
  EXPECT_EQ(created.stock_left, 100);
  EXPECT_EQ(created.begin_at, kBegin);
  EXPECT_EQ(created.end_at, kBegin + 1h);
  EXPECT_LT(abs(created.created_at - system_clock::now()), 1min);

  auto found = select_voucher(c, 7);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->created_at, created.created_at);
  EXPECT_FALSE(select_voucher(c, 8));

  try {
    insert_voucher(c, 7, voucher(1));
    FAIL() << "a second voucher with the same id";
  } catch (const PgError& e) {
    EXPECT_TRUE(e.is_unique_violation());
  }
  insert_voucher(c, 3, voucher(5));
  auto all = select_vouchers(c);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, 3u);
  EXPECT_EQ(all[1].id, 7u);
}

TEST(OrderStore, InsertsSkipsDuplicatesAndKeepsStockInStep) {
  PgTestSchema schema("orders_basic");
  auto c = schema.connect();
  insert_voucher(c, 1, voucher(10));

  std::vector<OrderRow> batch = {row(100, 1, 1), row(101, 2, 1), row(102, 3, 1)};
  EXPECT_EQ(insert_orders(c, batch), 3);
  EXPECT_EQ(stock_left(c, 1), 7);

  // Replayed: nothing changes.
  EXPECT_EQ(insert_orders(c, batch), 0);
  EXPECT_EQ(stock_left(c, 1), 7);

  // Same (user, voucher) with a new id, a duplicate inside the batch, and one new order: only
  // the last counts. (The same id for another order is refused: the test below.)
  std::vector<OrderRow> mixed = {row(200, 2, 1), row(300, 4, 1), row(300, 4, 1), row(301, 4, 1)};
  EXPECT_EQ(insert_orders(c, mixed), 1);
  EXPECT_EQ(stock_left(c, 1), 6);
  EXPECT_EQ(count_orders(c, 1), 4);

  auto order = select_order(c, 101);
  ASSERT_TRUE(order);
  EXPECT_EQ(order->user_id, 2u);
  EXPECT_EQ(order->voucher_id, 1u);
  EXPECT_EQ(order->created_at, kBegin + 101us);
  EXPECT_EQ(order->status, seckill::OrderStatus::confirmed);
  EXPECT_FALSE(select_order(c, 200));
  EXPECT_EQ(insert_orders(c, {}), 0);
}

TEST(OrderStore, AnIdStoredForAnotherOrderIsRefusedNotSkipped) {
  PgTestSchema schema("orders_reused_id");
  auto c = schema.connect();
  insert_voucher(c, 1, voucher(10));
  insert_voucher(c, 2, voucher(10));
  ASSERT_EQ(insert_orders(c, std::vector{row(100, 1, 1)}), 1);
  auto refused = [&](std::vector<OrderRow> batch) {
    try {
      insert_orders(c, batch);
    } catch (const PgError& e) {
      EXPECT_TRUE(e.is_unique_violation());
      EXPECT_TRUE(e.is_refusal());  // poison for the writer: a dead letter with this reason
      return std::string(e.what());
    }
    return std::string("not refused");
  };
  // Another user, another voucher, under a stored id: refused, naming both orders.
  EXPECT_EQ(refused({row(100, 9, 1)}),
            "order id 100 is stored for user 1 voucher 1, and this order is user 9 voucher 1: an "
            "id was issued twice (the id counter lost?); the order is refused, not stored");
  EXPECT_NE(refused({row(100, 1, 2)}).find("order id 100"), std::string::npos);
  // Beside new orders: those are stored (a replay of them changes nothing), the reused one not.
  EXPECT_NE(refused({row(100, 9, 1), row(400, 5, 1)}).find("user 9"), std::string::npos);
  EXPECT_EQ(insert_orders(c, std::vector{row(400, 5, 1)}), 0);
  // Two orders under one id in one batch.
  EXPECT_NE(refused({row(500, 6, 1), row(500, 7, 1)}).find("order id 500"), std::string::npos);
  EXPECT_EQ(select_order(c, 100)->user_id, 1u);
  EXPECT_EQ(count_orders(c, 1), 3);
  EXPECT_EQ(stock_left(c, 1), 7);
  // The same order again stays a no-op.
  EXPECT_EQ(insert_orders(c, std::vector{row(100, 1, 1)}), 0);
}

TEST(OrderStore, SeveralVouchersInOneBatch) {
  PgTestSchema schema("orders_multi");
  auto c = schema.connect();
  insert_voucher(c, 1, voucher(10));
  insert_voucher(c, 2, voucher(10));
  insert_voucher(c, 3, voucher(10));
  std::vector<OrderRow> batch = {row(10, 1, 1), row(11, 1, 2), row(12, 2, 2),
                                 row(13, 1, 3), row(14, 2, 3), row(15, 3, 3)};
  EXPECT_EQ(insert_orders(c, batch), 6);
  EXPECT_EQ(stock_left(c, 1), 9);
  EXPECT_EQ(stock_left(c, 2), 8);
  EXPECT_EQ(stock_left(c, 3), 7);
  auto audit = select_stock_audit(c);
  ASSERT_EQ(audit.size(), 3u);
  for (const auto& a : audit)
    EXPECT_EQ(a.stock_left + a.orders, a.stock_total);
}

TEST(OrderStore, RefusedBatchChangesNothing) {
  PgTestSchema schema("orders_refused");
  auto c = schema.connect();
  insert_voucher(c, 1, voucher(2));
  // Three orders for two units: the check constraint refuses the whole batch.
  try {
    insert_orders(c, std::vector{row(1, 1, 1), row(2, 2, 1), row(3, 3, 1)});
    FAIL() << "oversold";
  } catch (const PgError& e) {
    EXPECT_EQ(e.sqlstate(), kCheckViolation);
  }
  // An unknown voucher: the foreign key refuses it.
  try {
    insert_orders(c, std::vector{row(4, 1, 1), row(5, 1, 99)});
    FAIL() << "unknown voucher";
  } catch (const PgError& e) {
    EXPECT_EQ(e.sqlstate(), kForeignKeyViolation);
  }
  EXPECT_EQ(count_orders(c, 1), 0);
  EXPECT_EQ(stock_left(c, 1), 2);
}

TEST(OrderStore, ConcurrentBatchesKeepTheInvariant) {
  PgTestSchema schema("orders_concurrent");
  {
    auto c = schema.connect();
    for (std::uint64_t v = 1; v <= 3; ++v)
      insert_voucher(c, v, voucher(100'000));
  }
  // Four writers; each batch spans all three vouchers, in opposite orders for odd writers, and
  // half of the orders are also written by another writer (replays racing with the original).
  constexpr int kWriters = 4;
  constexpr int kBatches = 40;
  constexpr int kBatchSize = 60;
  std::atomic<std::int64_t> inserted{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      try {
        auto c = schema.connect();
        for (int b = 0; b < kBatches; ++b) {
          std::vector<OrderRow> batch;
          for (int i = 0; i < kBatchSize; ++i) {
            // Writers w and w^1 share the even orders.
            int owner = (i % 2 == 0) ? (w & ~1) : w;
            auto id = static_cast<std::uint64_t>(1 + (owner * kBatches + b) * kBatchSize + i);
            batch.push_back(row(id, id, 1 + id % 3));
          }
          if (w % 2 == 1) std::reverse(batch.begin(), batch.end());
          inserted += insert_orders(c, batch);
        }
      } catch (const std::exception& e) {
        ++failures;
        ADD_FAILURE() << e.what();
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(failures, 0);
  auto c = schema.connect();
  std::int64_t total_orders = 0;
  for (const auto& a : select_stock_audit(c)) {
    EXPECT_EQ(a.stock_left + a.orders, a.stock_total) << a.voucher_id;
    total_orders += a.orders;
  }
  EXPECT_EQ(total_orders, inserted.load());
  EXPECT_EQ(c.exec("select count(*) from orders").int64(0, 0), inserted.load());
}

namespace {

asio::awaitable<void> write_and_read(PgOrderStore& orders, PgVoucherStore& vouchers,
                                     std::vector<std::string>& failures) {
  auto v = co_await vouchers.create_voucher(5, voucher(3));
  // A named vector: GCC 12 miscompiles a braced list passed straight to a coroutine.
  std::vector<OrderRow> batch = {row(1, 1, v.id), row(2, 2, v.id), row(2, 2, v.id)};
  auto n = co_await orders.write_orders(std::move(batch));
  if (n != 2) failures.push_back("inserted " + std::to_string(n));
  auto o = co_await orders.find_order(2);
  if (!o || o->status != seckill::OrderStatus::confirmed) failures.push_back("order 2");
  if (co_await orders.count_orders(v.id) != 2) failures.push_back("count");
  auto found = co_await vouchers.find_voucher(5);
  if (!found || found->stock_left != 1) failures.push_back("stock_left");
  auto audit = co_await vouchers.stock_audit();
  if (audit.size() != 1 || audit[0].orders != 2) failures.push_back("audit");
  if ((co_await vouchers.list_vouchers()).size() != 1) failures.push_back("list");
}

}  // namespace

TEST(OrderStore, AwaitableApi) {
  PgTestSchema schema("orders_async");
  PgPoolOptions options;
  options.connect = schema.options();
  options.size = 2;
  PgPool pool(options);
  PgOrderStore orders(pool);
  PgVoucherStore vouchers(pool);
  asio::io_context io;
  std::vector<std::string> failures;
  asio::co_spawn(io, write_and_read(orders, vouchers, failures), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
  EXPECT_TRUE(failures.empty()) << failures.front();
}

namespace {

asio::awaitable<std::string> through_the_sale_interface(seckill::sale::SaleStore& store) {
  auto v = co_await store.create_voucher(9, voucher(2));
  std::vector<seckill::Order> orders = {
      {.id = 1, .user_id = 1, .voucher_id = 9, .created_at = kBegin},
      {.id = 2, .user_id = 2, .voucher_id = 9, .created_at = kBegin},
      {.id = 3, .user_id = 2, .voucher_id = 9, .created_at = kBegin}};  // same user: skipped
  if (co_await store.write_orders(orders) != 2) co_return "write_orders";
  if (co_await store.write_orders(std::move(orders)) != 0) co_return "replay";
  auto found = co_await store.find_voucher(v.id);
  if (!found || found->stock_left != 0) co_return "stock_left";
  if ((co_await store.list_vouchers()).size() != 1) co_return "list";
  auto o = co_await store.find_order(3);
  if (o) co_return "order 3 was stored";
  co_return "";
}

}  // namespace

TEST(PgSaleStore, ImplementsTheSaleInterface) {
  PgTestSchema schema("sale_store");
  PgPoolOptions options;
  options.connect = schema.options();
  options.size = 2;
  PgPool pool(options);
  PgSaleStore store(pool);
  asio::io_context io;
  auto result = asio::co_spawn(io, through_the_sale_interface(store), asio::use_future);
  io.run();
  EXPECT_EQ(result.get(), "");
}

namespace {

std::vector<std::uint64_t> ids_of(const auto& items) {
  std::vector<std::uint64_t> out;
  for (const auto& i : items)
    out.push_back(i.id);
  return out;
}

seckill::sale::VoucherFilter vouchers_at(seckill::SysTime now,
                                         std::optional<seckill::VoucherStatus> status,
                                         std::optional<std::uint64_t> before, int limit) {
  return {.status = status, .now = now, .before_id = before, .limit = limit};
}

seckill::sale::OrderFilter orders_of(std::optional<std::uint64_t> voucher,
                                     std::optional<std::uint64_t> user,
                                     std::optional<std::uint64_t> before, int limit) {
  return {.voucher_id = voucher, .user_id = user, .before_id = before, .limit = limit};
}

}  // namespace

TEST(VoucherStore, PagesByStatusNewestFirstAndEndsASale) {
  PgTestSchema schema("voucher_pages");
  auto c = schema.connect();
  auto window = [](seckill::SysTime begin) {
    return NewVoucher{.title = "t", .stock = 5, .begin_at = begin, .end_at = begin + 1h};
  };
  const auto now = kBegin + 30min;
  insert_voucher(c, 1, window(kBegin - 2h));  // ended
  insert_voucher(c, 2, window(kBegin - 2h));
  insert_voucher(c, 3, window(kBegin));  // live
  insert_voucher(c, 4, window(kBegin));
  insert_voucher(c, 5, window(kBegin + 2h));  // upcoming
  insert_voucher(c, 6, window(kBegin + 2h));
  using S = seckill::VoucherStatus;
  auto page = [&](std::optional<S> s, std::optional<std::uint64_t> before, int limit) {
    return ids_of(select_voucher_page(c, vouchers_at(now, s, before, limit)));
  };
  EXPECT_EQ(page(S::live, {}, 10), (std::vector<std::uint64_t>{4, 3}));
  EXPECT_EQ(page(S::upcoming, {}, 10), (std::vector<std::uint64_t>{6, 5}));
  EXPECT_EQ(page(S::ended, {}, 10), (std::vector<std::uint64_t>{2, 1}));
  EXPECT_EQ(page({}, {}, 4), (std::vector<std::uint64_t>{6, 5, 4, 3}));
  EXPECT_EQ(page({}, 3, 4), (std::vector<std::uint64_t>{2, 1}));
  EXPECT_EQ(page(S::live, 4, 10), (std::vector<std::uint64_t>{3}));

  auto ended = end_voucher(c, 4, now);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->end_at, now);
  EXPECT_EQ(ended->begin_at, kBegin);
  auto early = end_voucher(c, 5, now);  // before it began: both become now, so it reads ended
  ASSERT_TRUE(early);
  EXPECT_EQ(early->begin_at, now);
  EXPECT_EQ(early->end_at, now);
  EXPECT_EQ(end_voucher(c, 4, now + 1min)->end_at, now) << "an end is never pushed later";
  EXPECT_FALSE(end_voucher(c, 99, now));
  EXPECT_EQ(page(S::live, {}, 10), (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(page(S::upcoming, {}, 10), (std::vector<std::uint64_t>{6}));
  EXPECT_EQ(page(S::ended, {}, 10), (std::vector<std::uint64_t>{5, 4, 2, 1}));
}

TEST(OrderStore, PagesOfAVoucherAndOfAUserStayStableWhileOrdersArrive) {
  PgTestSchema schema("order_pages");
  auto c = schema.connect();
  insert_voucher(c, 3, voucher(100));
  insert_voucher(c, 4, voucher(100));
  std::vector<OrderRow> rows;
  for (std::uint64_t i = 0; i < 10; ++i)
    rows.push_back(row(10 + i, 100 + i, 3));
  rows.push_back(row(20, 100, 4));
  insert_orders(c, rows);

  auto page = [&](std::optional<std::uint64_t> voucher_id, std::optional<std::uint64_t> user,
                  std::optional<std::uint64_t> before, int limit) {
    return select_order_page(c, orders_of(voucher_id, user, before, limit));
  };
  auto first = page(3, {}, {}, 4);
  EXPECT_EQ(ids_of(first), (std::vector<std::uint64_t>{19, 18, 17, 16}));
  EXPECT_EQ(first[0].user_id, 109u);
  EXPECT_EQ(first[0].voucher_id, 3u);
  EXPECT_EQ(first[0].created_at, kBegin + microseconds(19));
  EXPECT_EQ(first[0].status, seckill::OrderStatus::confirmed);
  // A sale goes on between the pages: the next pages continue below the cursor, unchanged.
  const OrderRow more[] = {row(30, 200, 3), row(31, 201, 3)};
  insert_orders(c, more);
  EXPECT_EQ(ids_of(page(3, {}, 16, 4)), (std::vector<std::uint64_t>{15, 14, 13, 12}));
  EXPECT_EQ(ids_of(page(3, {}, 12, 4)), (std::vector<std::uint64_t>{11, 10}));
  EXPECT_EQ(ids_of(page(3, {}, {}, 2)), (std::vector<std::uint64_t>{31, 30}));

  EXPECT_EQ(ids_of(page({}, 100, {}, 10)), (std::vector<std::uint64_t>{20, 10}));
  EXPECT_EQ(ids_of(page({}, 100, 20, 10)), (std::vector<std::uint64_t>{10}));
  EXPECT_EQ(ids_of(page(3, 100, {}, 10)), (std::vector<std::uint64_t>{10}));
  EXPECT_TRUE(page({}, 999, {}, 10).empty());
  EXPECT_TRUE(page(4, 101, {}, 10).empty());
}
