#include "coordinator/redis/redis_rate_limiter.hpp"

#include <array>
#include <span>

#include "core/infra_error.hpp"
#include "seckill_coordinator_redis_embedded.hpp"

namespace seckill::coordinator::redis {

namespace {

const seckill::redis::Script& rate_limit_script() {
  static const seckill::redis::Script script("rate_limit", std::string(scripts::rate_limit));
  return script;
}

}  // namespace

std::string rate_limit_key(std::string_view key) {
  std::string out = "seckill:rl:{";
  out.append(key);
  out.push_back('}');
  return out;
}

RedisRateLimiter::RedisRateLimiter(seckill::redis::Client& client) : client_(client) {}

boost::asio::awaitable<ratelimit::RateDecision> RedisRateLimiter::take(std::string_view key,
                                                                       RateLimit limit) {
  const std::string redis_key = rate_limit_key(key);
  const std::string count = std::to_string(limit.count);
  const std::string per = std::to_string(limit.per.count());
  const std::string burst = std::to_string(limit.burst);
  std::array<std::string_view, 1> script_keys{redis_key};
  std::array<std::string_view, 3> script_args{count, per, burst};
  auto reply =
      co_await client_.eval(rate_limit_script(), std::span<const std::string_view>(script_keys),
                            std::span<const std::string_view>(script_args));
  auto parts = reply.elements();
  if (parts.size() != 2) throw ProtocolError("rate_limit.lua: expected two values");
  ratelimit::RateDecision decision;
  decision.allowed = parts[0].as_integer() == 1;
  decision.retry_after = std::chrono::milliseconds(parts[1].as_integer());
  co_return decision;
}

}  // namespace seckill::coordinator::redis
