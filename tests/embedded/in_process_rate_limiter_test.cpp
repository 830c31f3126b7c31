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

TEST(InProcessRateLimiter, PassesNewKeysWhenFullRatherThanGrowing) {
  FakeClock t;
  InProcessRateLimiter limiter(t.clock(), 16 * 4);  // four buckets per shard
  const RateLimit limit{1, 1h, 1};
  int allowed = 0;
  for (int i = 0; i < 1000; ++i)
    allowed += limiter.take_now("user:" + std::to_string(i), limit).allowed ? 1 : 0;
  EXPECT_EQ(allowed, 1000);
  EXPECT_LE(limiter.size(), 64u);
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
