#include "id/id_layout.hpp"

#include <gtest/gtest.h>

namespace seckill::id {
namespace {

using namespace std::chrono;

static_assert(encode(0, 0) == 0);
static_assert(encode(1, 2) == (std::uint64_t{1} << 32 | 2));
static_assert(decode(encode(kMaxSeconds, kMaxSequence)) == IdParts{kMaxSeconds, kMaxSequence});
static_assert(kEpoch.time_since_epoch().count() == 1'704'067'200);

TEST(IdLayout, RoundTripsAtTheBounds) {
  for (std::uint32_t s : {0U, 1U, 86'399U, 86'400U, kMaxSeconds - 1, kMaxSeconds}) {
    for (std::uint32_t q : {0U, 1U, 0x7FFF'FFFFU, 0x8000'0000U, kMaxSequence}) {
      const std::uint64_t id = encode(s, q);
      EXPECT_TRUE(is_id(id));
      EXPECT_EQ(decode(id), (IdParts{s, q}));
    }
  }
  EXPECT_EQ(encode(kMaxSeconds, kMaxSequence), 0x7FFF'FFFF'FFFF'FFFFULL);
}

TEST(IdLayout, OrdersBySecondThenSequence) {
  EXPECT_LT(encode(5, kMaxSequence), encode(6, 0));
  EXPECT_LT(encode(5, 1), encode(5, 2));
}

TEST(IdLayout, RefusesSecondsBeyond31Bits) {
  EXPECT_THROW((void)encode(kMaxSeconds + 1, 0), std::out_of_range);
  EXPECT_FALSE(is_id(0x8000'0000'0000'0000ULL));
}

TEST(IdLayout, TimeIsSecondsSince2024) {
  const auto t = sys_days{2025y / March / 1} + 12h + 30min + 15s;
  const auto s = seconds_since_epoch(t + 999ms);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(decode(encode(*s, 7)).time(), t);
  EXPECT_EQ(seconds_since_epoch(kEpoch), 0U);
  EXPECT_EQ(seconds_since_epoch(kEpoch - 1s), std::nullopt);
  EXPECT_EQ(seconds_since_epoch(kEpoch + seconds{kMaxSeconds}), kMaxSeconds);
  EXPECT_EQ(seconds_since_epoch(kEpoch + seconds{kMaxSeconds} + 1s), std::nullopt);
  EXPECT_EQ(kEpoch + seconds{kMaxSeconds}, sys_days{2092y / January / 19} + 3h + 14min + 7s);
}

TEST(IdLayout, DaysAreUtcDays) {
  EXPECT_EQ(day_of(0), 0U);
  EXPECT_EQ(day_of(86'399), 0U);
  EXPECT_EQ(day_of(86'400), 1U);
  EXPECT_EQ(first_second_of(3), 3U * 86'400);
  EXPECT_EQ(day_key(0), "20240101");
  EXPECT_EQ(day_key(59), "20240229");  // 2024 is a leap year
  EXPECT_EQ(day_key(60), "20240301");
  EXPECT_EQ(day_key(366), "20250101");
  EXPECT_EQ(day_key(day_of(kMaxSeconds)), "20920119");
}

}  // namespace
}  // namespace seckill::id
