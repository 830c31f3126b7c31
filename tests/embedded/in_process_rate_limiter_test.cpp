#include "coordinator/embedded/in_process_rate_limiter.hpp"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

using namespace seckill;
using seckill::coordinator::embedded::InProcessRateLimiter;
using namespace std::chrono_literals;

namespace {

struct FakeClock {
  std::shared_ptr<std::atomic<std::int64_t>> now = std::make_shared<std::atomic<std::int64_t>>(0);
  InProcessRateLimiter::Clock clock() const {
    return [n = now] { return n->load(); };
  }
};

}  // namespace

TEST(InProcessRateLimiter, EachKeyHasItsOwnBucket) {
  FakeClock t;
  InProcessRateLimiter limiter(t.clock());
  const RateLimit limit{2, 1s, 2};
  EXPECT_TRUE(limiter.take_now("user:1", limit).allowed);
  EXPECT_TRUE(limiter.take_now("user:1", limit).allowed);
  auto refused = limiter.take_now("user:1", limit);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 500ms);
  EXPECT_TRUE(limiter.take_now("user:2", limit).allowed);
  *t.now = 500;
  EXPECT_TRUE(limiter.take_now("user:1", limit).allowed);
  EXPECT_FALSE(limiter.take_now("user:1", limit).allowed);
}

TEST(InProcessRateLimiter, ForgetsBucketsThatAreFullAgain) {
  FakeClock t;
  InProcessRateLimiter limiter(t.clock());
  const RateLimit limit{10, 1s, 10};
  for (int i = 0; i < 20'000; ++i)
    limiter.take_now("ip:" + std::to_string(i), limit);
  EXPECT_EQ(limiter.size(), 20'000u);
  *t.now = 10'000;  // every bucket is full again
  for (int i = 0; i < 20'000; ++i)
    limiter.take_now("ip:new" + std::to_string(i), limit);
  // Old buckets are swept as new ones arrive (a shard sweeps when it has doubled since its last
  // sweep): memory follows the active keys, not every key ever seen (40,000).
  EXPECT_LT(limiter.size(), 30'000u);
}

// Full of buckets still in use (a rotating-IPv6 flood): a new key still gets a bucket, at the
// cost of the least recently used one, so it is limited like any other; memory stays bounded.
TEST(InProcessRateLimiter, WhenFullANewKeyIsStillLimitedAndTheLeastRecentlyUsedGoes) {
  FakeClock t;
  constexpr std::size_t kMaxKeys = 16 * 4;  // four buckets per shard
  InProcessRateLimiter limiter(t.clock(), kMaxKeys);
  const RateLimit limit{1, 1h, 3};
  for (std::size_t i = 0; i < kMaxKeys * 4; ++i)
    EXPECT_TRUE(limiter.take_now("ip:flood-" + std::to_string(i), limit).allowed);
  EXPECT_LE(limiter.size(), kMaxKeys);
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(limiter.take_now("ip:new", limit).allowed) << i;
  EXPECT_FALSE(limiter.take_now("ip:new", limit).allowed) << "beyond its burst";
  // Every key of a flood is limited too, not only the one we watch.
  int allowed = 0;
  for (int i = 0; i < 1000; ++i)
    allowed += limiter.take_now("ip:one-key-again", limit).allowed ? 1 : 0;
  EXPECT_EQ(allowed, 3);
  EXPECT_LE(limiter.size(), kMaxKeys);
}

TEST(InProcessRateLimiter, RecentlyUsedBucketsSurviveAFloodOfNewKeys) {
  FakeClock t;
  constexpr std::size_t kMaxKeys = 16 * 64;
  InProcessRateLimiter limiter(t.clock(), kMaxKeys);
  const RateLimit limit{1, 1h, 1};
  EXPECT_TRUE(limiter.take_now("user:watched", limit).allowed);
  // New keys arrive, and the watched key is used between each: it is never the least recent.
  for (int i = 0; i < 10'000; ++i) {
    limiter.take_now("ip:flood-" + std::to_string(i), limit);
    ASSERT_FALSE(limiter.take_now("user:watched", limit).allowed) << i;
  }
  EXPECT_LE(limiter.size(), kMaxKeys);
}

TEST(InProcessRateLimiter, ExactUnderThreads) {
  InProcessRateLimiter limiter([] { return std::int64_t{0}; });
  const RateLimit limit{1, 1h, 500};
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i)
        if (limiter.take_now("user:7", limit).allowed) allowed++;
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(allowed.load(), 500);
}
