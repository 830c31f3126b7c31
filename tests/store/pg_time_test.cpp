#include "store/postgres/pg_time.hpp"

#include <random>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "store/postgres/pg_param.hpp"

using namespace std::chrono;
using namespace seckill::store::postgres;
using seckill::SysTime;

TEST(PgTime, FormatsUtcWithMicroseconds) {
  auto t = sys_days{year{2026} / 11 / 22} + 10h + 123456us;
  EXPECT_EQ(format_pg_time(t), "2026-11-22 10:00:00.123456+00");
  EXPECT_EQ(format_pg_time(sys_days{year{1970} / 1 / 1}), "1970-01-01 00:00:00.000000+00");
}

// The digits written by hand match fmt's formatting (what format_pg_time used before) across
// the years PostgreSQL and we care about.
TEST(PgTime, MatchesFmtFormatting) {
  auto reference = [](SysTime t) {
    auto us = floor<microseconds>(t);
    auto day = floor<days>(us);
    year_month_day ymd{day};
    hh_mm_ss hms{us - day};
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}+00", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                       hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                       hms.subseconds().count());
  };
  std::mt19937_64 random(7);
  // SysTime counts nanoseconds in an int64: it spans 1677-09-21 to 2262-04-11 (wider values
  // overflow, which UBSan reports), so the random times and the edges stay inside that.
  std::uniform_int_distribution<std::int64_t> micros(-9'000'000'000'000'000, 9'000'000'000'000'000);
  for (int i = 0; i < 20000; ++i) {
    SysTime t = from_epoch_micros(micros(random));
    ASSERT_EQ(format_pg_time(t), reference(t));
  }
  const std::vector<SysTime> edges = {SysTime{},
                                      SysTime{} - 1us,
                                      sys_days{year{2262} / 4 / 10} + 86399999999us,
                                      sys_days{year{1678} / 1 / 1} + 0us,
                                      sys_days{year{1969} / 12 / 31} + 1us,
                                      sys_days{year{2000} / 2 / 29} + 1us};
  for (SysTime t : edges) {
    EXPECT_EQ(format_pg_time(t), reference(t));
  }
}

TEST(PgTime, EpochMicrosRoundTrip) {
  auto t = sys_days{year{2026} / 11 / 22} + 10h + 123456us;
  EXPECT_EQ(from_epoch_micros(epoch_micros(t)), t);
  EXPECT_EQ(epoch_micros(sys_days{year{1970} / 1 / 1} + 1s), 1'000'000);
  // Below a microsecond is dropped, downwards, also before 1970.
  EXPECT_EQ(truncate_to_micros(t + 999ns), t);
  EXPECT_EQ(epoch_micros(SysTime{} - 1ns), -1);
}

TEST(PgArrayBuilder, BuildsLiterals) {
  PgArrayBuilder empty;
  EXPECT_EQ(std::move(empty).finish(), "{}");

  PgArrayBuilder ints;
  ints.add(std::int64_t{1});
  ints.add(std::uint64_t{9'223'372'036'854'775'807ULL});
  ints.add(std::int64_t{-3});
  EXPECT_EQ(std::move(ints).finish(), "{1,9223372036854775807,-3}");

  PgArrayBuilder texts;
  texts.add_text("a b");
  texts.add_text("q\"uo\\te,{}");
  texts.add_text("");
  EXPECT_EQ(std::move(texts).finish(), R"({"a b","q\"uo\\te,{}",""})");

  PgArrayBuilder times;
  times.add(sys_days{year{2026} / 11 / 22} + 10h);
  EXPECT_EQ(std::move(times).finish(), R"({"2026-11-22 10:00:00.000000+00"})");
}

TEST(PgParam, TextForms) {
  EXPECT_STREQ(PgParam(std::int64_t{-5}).c_str(), "-5");
  EXPECT_STREQ(PgParam(true).c_str(), "t");
  EXPECT_STREQ(PgParam("x").c_str(), "x");
  EXPECT_EQ(PgParam(std::nullopt).c_str(), nullptr);
  EXPECT_EQ(PgParam(std::optional<int>{}).c_str(), nullptr);
  EXPECT_STREQ(PgParam(std::optional<int>{7}).c_str(), "7");
}
