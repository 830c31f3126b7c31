#include "store/postgres/pg_stock_gate.hpp"

// The `db` sale strategy's purchase transaction: a user who already holds an order is told which
// (CONTRACT.md, "Errors": already_ordered carries order_id).
#include <gtest/gtest.h>

#include "store/pg_test_schema.hpp"

namespace seckill::store::postgres {
namespace {

using namespace std::chrono_literals;

const SysTime kBegin = SysTime(std::chrono::sys_days(std::chrono::year(2026) / 11 / 22));

TEST(PgStockGate, AlreadyOrderedNamesTheOrderTheUserHolds) {
  testing::PgTestSchema schema("pg_stock_gate");
  auto c = schema.connect();
  c.exec(
      "insert into vouchers (id, title, stock_total, stock_left, begin_at, end_at) values "
      "(7, 't', 3, 3, '2026-11-22T00:00:00Z', '2026-11-23T00:00:00Z')");
  const std::uint64_t first_id = (1ULL << 62) + 1;  // above 2^53: no rounding on the way
  Order first{first_id, 42, 7, kBegin + 1h, OrderStatus::pending};
  auto taken = take_order_in_transaction(c, first);
  ASSERT_EQ(taken.outcome, sale::TakeOutcome::taken);
  EXPECT_EQ(taken.held_order_id, 0u);
  Order again{first_id + 1, 42, 7, kBegin + 2h, OrderStatus::pending};
  auto held = take_order_in_transaction(c, again);
  EXPECT_EQ(held.outcome, sale::TakeOutcome::already_ordered);
  EXPECT_EQ(held.held_order_id, first_id);
  EXPECT_EQ(c.exec("select stock_left from vouchers where id = 7").int64(0, 0), 2);
}

}  // namespace
}  // namespace seckill::store::postgres
