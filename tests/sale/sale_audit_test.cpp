#include "sale/sale_audit.hpp"

#include <gtest/gtest.h>

using namespace seckill::sale;

namespace {

StoreView store_of(std::int64_t total, std::int64_t left,
                   std::map<std::uint64_t, std::uint64_t> o) {
  return StoreView{7, total, left, std::move(o), {}};
}

}  // namespace

TEST(SaleAudit, AgreeingViewsPass) {
  auto s = store_of(3, 1, {{10, 100}, {11, 101}});
  CoordinatorView c{1, {{10, 100}, {11, 101}}, 0};
  EXPECT_TRUE(audit(s, c).empty());
}

TEST(SaleAudit, UnloadedVoucherWithoutOrdersPasses) {
  EXPECT_TRUE(audit(store_of(5, 5, {}), CoordinatorView{}).empty());
}

TEST(SaleAudit, FindsEveryKindOfDifference) {
  CoordinatorView good{1, {{10, 100}, {11, 101}}, 0};
  EXPECT_EQ(audit(store_of(3, 2, {{10, 100}, {11, 101}}), good).size(), 2u);  // sum and stock
  EXPECT_FALSE(audit(store_of(1, -1, {{10, 100}, {11, 101}}), good).empty());
  EXPECT_FALSE(audit(store_of(3, 1, {{10, 100}, {11, 999}}), good).empty());
  EXPECT_FALSE(audit(store_of(3, 1, {{10, 100}, {12, 101}}), good).empty());
  CoordinatorView queued = good;
  queued.queued = 4;
  EXPECT_FALSE(audit(store_of(3, 1, {{10, 100}, {11, 101}}), queued).empty());
  EXPECT_FALSE(audit(store_of(3, 2, {{10, 100}}), CoordinatorView{}).empty());
}
