#include "loadgen/latency_histogram.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

using seckill::loadgen::LatencyHistogram;
using namespace std::chrono_literals;

TEST(LatencyHistogram, EmptyAnswersZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(50), 0ns);
  EXPECT_EQ(h.max(), 0ns);
  EXPECT_EQ(h.mean(), 0ns);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int i = 1; i <= 50; ++i)
    h.record(std::chrono::nanoseconds(i));
  EXPECT_EQ(h.percentile(50), 25ns);
  EXPECT_EQ(h.percentile(100), 50ns);
  EXPECT_EQ(h.percentile(0), 1ns);
  EXPECT_EQ(h.min(), 1ns);
}

TEST(LatencyHistogram, BucketsCoverEveryValueWithinOneSixtyFourth) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t v = rng() >> (24 + rng() % 40);
    const auto b = LatencyHistogram::bucket_of(v);
    const auto upper = LatencyHistogram::upper_edge(b);
    ASSERT_GE(upper, v);
    ASSERT_LE(static_cast<double>(upper - v), static_cast<double>(v) / 64.0 + 1) << v;
    if (b > 0) {
      ASSERT_LT(LatencyHistogram::upper_edge(b - 1), v) << v;
    }
  }
}

TEST(LatencyHistogram, PercentilesMatchSortedValuesWithinPrecision) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(13.0, 1.0);  // ~0.4 ms median, long tail
  std::vector<std::int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 200000; ++i) {
    const auto v = static_cast<std::int64_t>(dist(rng));
    values.push_back(v);
    h.record(std::chrono::nanoseconds(v));
  }
  std::sort(values.begin(), values.end());
  for (double p : {50.0, 90.0, 99.0, 99.9, 99.99}) {
    const auto rank =
        static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size()))) - 1;
    const double exact = static_cast<double>(values[rank]);
    const double got = static_cast<double>(h.percentile(p).count());
    EXPECT_GE(got, exact) << p;
    EXPECT_LE(got, exact * (1 + 1.0 / 64) + 1) << p;
  }
  EXPECT_EQ(h.max().count(), values.back());
  EXPECT_EQ(h.percentile(100).count(), values.back());
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  for (int i = 0; i < 1000; ++i) {
    const auto v = std::chrono::microseconds(i * 37 % 5000);
    (i % 2 == 0 ? a : b).record(v);
    all.record(v);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.mean(), all.mean());
  for (double p : {1.0, 50.0, 99.0, 99.9})
    EXPECT_EQ(a.percentile(p), all.percentile(p));
}

TEST(LatencyHistogram, HugeAndNegativeValuesAreClamped) {
  LatencyHistogram h;
  h.record(-5ns);
  h.record(std::chrono::hours(2));
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.percentile(1), 0ns);
  EXPECT_GT(h.percentile(100), std::chrono::minutes(10));
}
