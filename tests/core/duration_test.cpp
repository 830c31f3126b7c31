#include "core/duration.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using seckill::parse_duration;

TEST(Duration, ParsesEveryUnit) {
  EXPECT_EQ(parse_duration("900s").value(), 900s);
  EXPECT_EQ(parse_duration("15m").value(), 15min);
  EXPECT_EQ(parse_duration("1h").value(), 1h);
  EXPECT_EQ(parse_duration("250ms").value(), 250ms);
  EXPECT_EQ(parse_duration("1d").value(), 24h);
  EXPECT_EQ(parse_duration("2h30m").value(), 150min);
  EXPECT_EQ(parse_duration("0s").value(), 0s);
}

TEST(Duration, RefusesMalformed) {
  for (auto bad : {"", "15", "m", "15x", "-5m", "1.5h", "15 m", "s15", "99999999999999999999h"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
}

TEST(Duration, FormatsRoundTrip) {
  EXPECT_EQ(seckill::format_duration(15min), "15m");
  EXPECT_EQ(seckill::format_duration(2h), "2h");
  EXPECT_EQ(seckill::format_duration(90s), "90s");
  EXPECT_EQ(seckill::format_duration(1500ms), "1500ms");
}
