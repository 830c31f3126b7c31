#include "core/rfc3339.hpp"

#include <gtest/gtest.h>

using namespace std::chrono;
using seckill::format_rfc3339;
using seckill::parse_rfc3339;

TEST(Rfc3339, FormatsUtc) {
  auto t = sys_days{year{2026} / 11 / 22} + 10h;
  EXPECT_EQ(format_rfc3339(t), "2026-11-22T10:00:00Z");
  EXPECT_EQ(format_rfc3339(t + 123ms), "2026-11-22T10:00:00.123Z");
}

TEST(Rfc3339, ParsesZuluOffsetsAndFractions) {
  auto t = sys_days{year{2026} / 11 / 22} + 10h;
  EXPECT_EQ(parse_rfc3339("2026-11-22T10:00:00Z"), t);
  EXPECT_EQ(parse_rfc3339("2026-11-22T12:00:00+02:00"), t);
  EXPECT_EQ(parse_rfc3339("2026-11-22T09:30:00-00:30"), t);
  EXPECT_EQ(parse_rfc3339("2026-11-22T10:00:00.5Z"), t + 500ms);
  EXPECT_EQ(parse_rfc3339(format_rfc3339(t + 7ms)), t + 7ms);
}

TEST(Rfc3339, RefusesMalformed) {
  for (auto bad : {"", "2026-11-22", "2026-11-22T10:00:00", "2026-13-01T00:00:00Z",
                   "2026-02-30T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T10:00:00ZZ",
                   "2026-11-22T10:00:00.Z", "1969-12-31T23:59:59Z", "2026-11-22T10:00:00+2:00"}) {
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
  }
}

// Found by the json fuzz target: years past 2262 overflowed SysTime's 64-bit nanoseconds and came
// back as 1816 (fuzz/json/regressions/year_9999).
TEST(Rfc3339, RefusesTimesBeyondWhatSysTimeHolds) {
  EXPECT_FALSE(parse_rfc3339("9999-12-31T23:59:59Z"));
  EXPECT_FALSE(parse_rfc3339("2263-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2262-04-11T23:47:16Z"));
  EXPECT_FALSE(parse_rfc3339("2262-04-11T23:00:00-02:00"));
  EXPECT_TRUE(parse_rfc3339("2262-04-12T01:00:00+02:00"));  // 23:00 UTC
  auto last = parse_rfc3339("2262-04-11T23:47:15Z");
  ASSERT_TRUE(last);
  EXPECT_EQ(format_rfc3339(*last), "2262-04-11T23:47:15Z");
  auto far = parse_rfc3339("2200-06-01T12:00:00.5Z");
  ASSERT_TRUE(far);
  EXPECT_EQ(format_rfc3339(*far), "2200-06-01T12:00:00.500Z");
}
