#include "sale/voucher_cache.hpp"

#include <gtest/gtest.h>

using namespace std::chrono;
using namespace seckill;
using seckill::sale::VoucherCache;

namespace {

const SysTime kBegin = sys_days{year{2026} / 11 / 22} + 10h;

Voucher voucher(std::uint64_t id) {
  return Voucher{.id = id,
                 .title = "t",
                 .stock_total = 5,
                 .stock_left = 5,
                 .begin_at = kBegin,
                 .end_at = kBegin + 1h,
                 .created_at = kBegin};
}

}  // namespace

TEST(VoucherCache, AnEarlyEndShrinksTheWindowAndNeverWidensIt) {
  VoucherCache cache;
  auto entry = cache.insert(voucher(1));
  cache.mark_ended(1, kBegin + 10min);
  EXPECT_EQ(entry->end_at(), kBegin + 10min);
  EXPECT_EQ(entry->begin_at(), kBegin);
  EXPECT_EQ(sale_window(entry->begin_at(), entry->end_at(), kBegin + 20min), SaleWindow::ended);
  cache.mark_ended(1, kBegin + 30min);
  EXPECT_EQ(entry->current().end_at, kBegin + 10min) << "a later end changes nothing";
  cache.mark_ended(1, kBegin - 1h);  // ended before it began: ended, not upcoming
  EXPECT_EQ(entry->current().begin_at, kBegin - 1h);
  EXPECT_EQ(sale_window(entry->current(), kBegin - 30min), SaleWindow::ended);
}

TEST(VoucherCache, AnEndHeardBeforeTheVoucherIsCachedStillApplies) {
  // An instance that read the voucher from the store just before the end was written, and
  // caches it just after the announcement arrived, must not sell on.
  VoucherCache cache;
  cache.mark_ended(2, kBegin + 5min);
  auto entry = cache.insert(voucher(2));
  EXPECT_EQ(entry->end_at(), kBegin + 5min);
  EXPECT_EQ(cache.insert(voucher(3))->end_at(), kBegin + 1h) << "others are untouched";
}
