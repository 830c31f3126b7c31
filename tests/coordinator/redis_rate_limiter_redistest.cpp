// The Redis token buckets on a real Redis: rate_limit.lua decides exactly as core's take_token()
// (same state in, same decision and state out), its keys expire once full, and concurrent
// requests from many coroutines never pass more than the burst.
#include <random>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "coordinator/redis/redis_rate_limiter.hpp"
#include "core/decimal.hpp"
#include "redis/client.hpp"
#include "redis/redis_url.hpp"
#include "support/test_env.hpp"

namespace asio = boost::asio;
using namespace seckill;
using namespace std::chrono_literals;
using coordinator::redis::rate_limit_key;
using coordinator::redis::RedisRateLimiter;

namespace {

std::string unique_key(std::string_view what) {
  return "test" + std::to_string(std::random_device{}()) + ":" + std::string(what);
}

struct Parity {
  int steps = 0;
  int mismatches = 0;
  int allowed = 0;
  long long ttl_ms = 0;
  std::string first_mismatch;
};

asio::awaitable<std::optional<BucketState>> read_state(redis::Client& client,
                                                       const std::string& key) {
  auto redis_key = rate_limit_key(key);
  auto reply = co_await client.command({"HMGET", redis_key, "level", "at"});
  auto parts = reply.elements();
  if (parts.size() != 2 || parts[0].is_nil()) co_return std::nullopt;
  co_return BucketState{parse_decimal<std::int64_t>(parts[0].as_string()).value(),
                        parse_decimal<std::int64_t>(parts[1].as_string()).value()};
}

asio::awaitable<Parity> compare(redis::Client& client, RateLimit limit, int steps) {
  co_await client.connect();
  RedisRateLimiter limiter(client);
  const std::string key = unique_key("user:1");
  Parity p;
  std::optional<BucketState> before;
  for (int i = 0; i < steps; ++i) {
    auto decision = co_await limiter.take(key, limit);
    auto after = co_await read_state(client, key);
    ++p.steps;
    if (decision.allowed) ++p.allowed;
    if (!after) {
      ++p.mismatches;
      continue;
    }
    // What core computes from the same state at the time Redis used.
    auto expected = take_token(before ? &*before : nullptr, after->at_ms, limit);
    if (expected.allowed != decision.allowed || expected.retry_after != decision.retry_after ||
        expected.next.level != after->level) {
      if (p.mismatches++ == 0) {
        p.first_mismatch = "step " + std::to_string(i) + ": redis level " +
                           std::to_string(after->level) + " retry " +
                           std::to_string(decision.retry_after.count()) + ", core level " +
                           std::to_string(expected.next.level) + " retry " +
                           std::to_string(expected.retry_after.count());
      }
    }
    before = after;
  }
  auto redis_key = rate_limit_key(key);
  p.ttl_ms = (co_await client.command({"PTTL", redis_key})).as_integer();
  client.close();
  co_return p;
}

redis::ClientOptions options() {
  redis::ClientOptions o;
  o.connection.endpoint = redis::parse_redis_url(seckill::testing::redis_url()).value();
  return o;
}

}  // namespace

TEST(RedisRateLimiter, KeysAreOneHashTagEach) {
  EXPECT_EQ(rate_limit_key("user:42"), "seckill:rl:{user:42}");
  EXPECT_EQ(rate_limit_key("ip:::1"), "seckill:rl:{ip:::1}");
}

TEST(RedisRateLimiter, DecidesExactlyAsCoreTakeToken) {
  asio::io_context io;
  redis::Client client(io, options());
  // 200/s with a burst of 20: the sequence drains the bucket and refills between calls (each
  // round trip takes some fraction of the 5 ms a request costs), so both paths are compared.
  auto result = asio::co_spawn(io, compare(client, RateLimit{200, 1s, 20}, 300), asio::use_future);
  io.run_for(30s);
  auto p = result.get();
  EXPECT_EQ(p.steps, 300);
  EXPECT_EQ(p.mismatches, 0) << p.first_mismatch;
  EXPECT_GE(p.allowed, 20);
  EXPECT_LT(p.allowed, 300);
  EXPECT_GT(p.ttl_ms, 0) << "a bucket key always expires";
  EXPECT_LE(p.ttl_ms, 101) << "and no later than when it would be full again (20 / 200/s)";
}

TEST(RedisRateLimiter, SlowRateRefusesWithTheWait) {
  asio::io_context io;
  redis::Client client(io, options());
  auto result = asio::co_spawn(io, compare(client, RateLimit{1, 1h, 3}, 5), asio::use_future);
  io.run_for(30s);
  auto p = result.get();
  EXPECT_EQ(p.mismatches, 0) << p.first_mismatch;
  EXPECT_EQ(p.allowed, 3);
}

namespace {

asio::awaitable<void> one_take(RedisRateLimiter* limiter, std::string key, RateLimit limit,
                               std::atomic<int>* allowed, std::atomic<int>* done) {
  auto decision = co_await limiter->take(key, limit);
  if (decision.allowed) ++*allowed;
  ++*done;
}

asio::awaitable<void> many_takes(redis::Client* client, RedisRateLimiter* limiter, std::string key,
                                 RateLimit limit, std::atomic<int>* allowed,
                                 std::atomic<int>* done) {
  co_await client->connect();
  auto executor = co_await asio::this_coro::executor;
  for (int i = 0; i < 400; ++i)
    asio::co_spawn(executor, one_take(limiter, key, limit, allowed, done), asio::detached);
}

}  // namespace

TEST(RedisRateLimiter, ConcurrentRequestsNeverPassMoreThanTheBurst) {
  asio::io_context io;
  redis::Client client(io, options());
  RedisRateLimiter limiter(client);
  std::atomic<int> allowed{0}, done{0};
  const std::string key = unique_key("ip:10.0.0.1");
  const RateLimit limit{1, 1h, 50};
  asio::co_spawn(io, many_takes(&client, &limiter, key, limit, &allowed, &done), asio::detached);
  for (int i = 0; i < 300 && done.load() < 400; ++i)
    io.run_for(100ms);
  EXPECT_EQ(done.load(), 400);
  EXPECT_EQ(allowed.load(), 50);
  client.close();
  io.run_for(1s);
}
