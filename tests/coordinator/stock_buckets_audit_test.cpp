#include "coordinator/redis/stock_buckets_audit.hpp"

#include <gtest/gtest.h>

#include "coordinator/redis/redis_stock_gate.hpp"

using namespace seckill::coordinator::redis;

namespace {

// The first user id from `from` whose home bucket among `count` is `bucket`.
std::uint64_t user_in(unsigned bucket, unsigned count, std::uint64_t from = 1) {
  while (RedisStockGate::home_bucket(from, count) != bucket)
    ++from;
  return from;
}

BucketState bucket(unsigned b, std::optional<std::int64_t> stock,
                   std::map<std::uint64_t, std::uint64_t> buyers, std::uint64_t queued = 0) {
  return BucketState{b, stock, std::move(buyers), queued};
}

}  // namespace

TEST(StockBucketsAudit, MembersNameEachVouchersBuckets) {
  std::vector<std::string> members{"7", "7:2", "7:1", "9", "12:3", "junk", "7:x", "7:1"};
  auto found = registered_buckets(members);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[7], (std::vector<unsigned>{0, 1, 2}));
  EXPECT_EQ(found[9], (std::vector<unsigned>{0}));
  EXPECT_EQ(found[12], (std::vector<unsigned>{3}));
}

TEST(StockBucketsAudit, BucketsAddUpToOneVoucher) {
  const auto a = user_in(0, 3), b = user_in(1, 3), c = user_in(2, 3);
  std::vector<BucketState> states{bucket(0, 2, {{a, 100}}, 1), bucket(1, 0, {{b, 101}}),
                                  bucket(2, 5, {{c, 102}}, 2)};
  auto combined = combine_buckets(7, 3, states);
  EXPECT_TRUE(combined.differences.empty());
  EXPECT_EQ(combined.view.stock_left, 7);
  EXPECT_EQ(combined.view.queued, 3u);
  EXPECT_EQ(combined.view.buyers,
            (std::map<std::uint64_t, std::uint64_t>{{a, 100}, {b, 101}, {c, 102}}));
}

TEST(StockBucketsAudit, OneBucketIsTheUnsplitVoucher) {
  auto combined = combine_buckets(7, 1, {bucket(0, 4, {{5, 50}, {6, 60}})});
  EXPECT_TRUE(combined.differences.empty());
  EXPECT_EQ(combined.view.stock_left, 4);
  EXPECT_EQ(combined.view.buyers.size(), 2u);
}

TEST(StockBucketsAudit, UnloadedVoucherHasNoStock) {
  auto combined = combine_buckets(7, 2, {bucket(0, std::nullopt, {}), bucket(1, std::nullopt, {})});
  EXPECT_TRUE(combined.differences.empty());
  EXPECT_FALSE(combined.view.stock_left.has_value());
}

TEST(StockBucketsAudit, FindsWhatOnlyBucketsCanGetWrong) {
  const auto a = user_in(0, 2), b = user_in(1, 2);
  // A mark outside the user's home bucket.
  auto away = combine_buckets(7, 2, {bucket(0, 1, {{a, 100}, {b, 101}}), bucket(1, 1, {})});
  ASSERT_EQ(away.differences.size(), 1u);
  EXPECT_NE(away.differences[0].find("home bucket is 1"), std::string::npos) << away.differences[0];
  // The same user in two buckets: two orders (and one of them away from home).
  auto twice = combine_buckets(7, 2, {bucket(0, 1, {{a, 100}}), bucket(1, 1, {{a, 200}})});
  EXPECT_EQ(twice.differences.size(), 2u);
  EXPECT_EQ(twice.view.buyers.size(), 1u);
  // A bucket below zero; a bucket that was never loaded.
  EXPECT_EQ(combine_buckets(7, 2, {bucket(0, 1, {}), bucket(1, -1, {})}).differences.size(), 1u);
  auto missing = combine_buckets(7, 3, {bucket(0, 1, {}), bucket(1, 1, {}), bucket(2, {}, {})});
  ASSERT_EQ(missing.differences.size(), 1u);
  EXPECT_NE(missing.differences[0].find("bucket 2 of 3"), std::string::npos);
}
