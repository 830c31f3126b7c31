#include "core/rate_limit.hpp"

#include <gtest/gtest.h>

using namespace seckill;
using namespace std::chrono_literals;

TEST(ParseRateLimit, ReadsCountUnitAndBurst) {
  EXPECT_EQ(parse_rate_limit("10/s"), (RateLimit{10, 1s, 10}));
  EXPECT_EQ(parse_rate_limit("5"), (RateLimit{5, 1s, 5}));
  EXPECT_EQ(parse_rate_limit("600/m:50"), (RateLimit{600, 1min, 50}));
  EXPECT_EQ(parse_rate_limit("1/h:1000000"), (RateLimit{1, 1h, 1'000'000}));
}

TEST(ParseRateLimit, RefusesWhatItCannotRead) {
  for (auto bad : {"", "0/s", "-1/s", "1000001/s", "10/x", "10/", "10/s:", "10/s:0", ":5", "ten",
                   "10/s:5:5", " 10/s", "10/s:1000001", "18446744073709551617"}) {
    auto r = parse_rate_limit(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_NE(r.error().find("rate '"), std::string::npos);
    }
  }
}

TEST(ParseRateLimit, FormatReadsBack) {
  for (auto text : {"10/s", "600/m:50", "1/h:7"}) {
    auto r = parse_rate_limit(text);
    ASSERT_TRUE(r);
    EXPECT_EQ(parse_rate_limit(format_rate_limit(*r)), r);
  }
}

TEST(TokenBucket, ANewBucketAllowsTheBurstThenRefuses) {
  const RateLimit limit{10, 1s, 3};
  BucketState state;
  const BucketState* current = nullptr;
  for (int i = 0; i < 3; ++i) {
    auto d = take_token(current, 1000, limit);
    EXPECT_TRUE(d.allowed) << i;
    state = d.next;
    current = &state;
  }
  auto refused = take_token(current, 1000, limit);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 100ms);  // 10/s: one request every 100 ms
}

TEST(TokenBucket, RefillsAtTheRateUpToTheBurst) {
  const RateLimit limit{10, 1s, 2};
  BucketState empty{0, 0};
  EXPECT_FALSE(take_token(&empty, 99, limit).allowed);
  EXPECT_EQ(take_token(&empty, 99, limit).retry_after, 1ms);
  EXPECT_TRUE(take_token(&empty, 100, limit).allowed);
  // A long quiet spell fills the bucket to `burst`, not beyond.
  auto a = take_token(&empty, 1'000'000'000, limit);
  auto b = take_token(&a.next, 1'000'000'000, limit);
  auto c = take_token(&b.next, 1'000'000'000, limit);
  EXPECT_TRUE(a.allowed);
  EXPECT_TRUE(b.allowed);
  EXPECT_FALSE(c.allowed);
}

TEST(TokenBucket, AClockGoingBackwardsAddsNothing) {
  const RateLimit limit{1, 1s, 1};
  BucketState empty{0, 5000};
  auto d = take_token(&empty, 1000, limit);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, 1s);
}

TEST(TokenBucket, SlowRatesWaitLong) {
  const RateLimit limit{1, 1h, 1};
  auto first = take_token(nullptr, 0, limit);
  EXPECT_TRUE(first.allowed);
  auto second = take_token(&first.next, 1000, limit);
  EXPECT_FALSE(second.allowed);
  EXPECT_EQ(second.retry_after, 1h - 1s);
  EXPECT_EQ(time_to_full(limit), 1h + 1ms);
}
