#pragma once
// The distributed mode's rate limiter: token buckets in Redis, shared by every instance, one
// EVALSHA of rate_limit.lua per request and limit.

#include <string>
#include <string_view>

#include "ratelimit/rate_limiter.hpp"
#include "redis/client.hpp"

namespace seckill::coordinator::redis {

/// The Redis key of a bucket: `seckill:rl:{KEY}`. The whole key is the hash tag, so one bucket
/// lives on one Redis Cluster slot and different callers spread over the cluster.
std::string rate_limit_key(std::string_view key);

class RedisRateLimiter final : public ratelimit::RateLimiter {
 public:
  /// `client` must outlive the limiter.
  explicit RedisRateLimiter(seckill::redis::Client& client);

  /// Throws InfraError (from the client) when Redis does not answer, ProtocolError for a reply
  /// the script cannot give.
  boost::asio::awaitable<ratelimit::RateDecision> take(std::string_view key,
                                                       RateLimit limit) override;

 private:
  seckill::redis::Client& client_;
};

}  // namespace seckill::coordinator::redis
