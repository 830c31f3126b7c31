#include "coordinator/redis/redis_user_window_cache.hpp"

#include <fmt/format.h>

namespace seckill::coordinator::redis {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

std::string key_of(const std::string& ticket, std::uint64_t user_id) {
  return fmt::format("seckill:remind-window:{}:{}", ticket, user_id);
}

}  // namespace

asio::awaitable<std::optional<milliseconds>> RedisUserWindowCache::remaining(
    std::string ticket, std::uint64_t user_id) {
  auto key = key_of(ticket, user_id);
  auto left = (co_await client_.command({"PTTL", key})).as_integer();
  // -2: no key; -1: no expiry (never written so): not trusted.
  if (left <= 0) co_return std::nullopt;
  co_return milliseconds(left);
}

asio::awaitable<void> RedisUserWindowCache::remember(std::string ticket, std::uint64_t user_id,
                                                     milliseconds left) {
  auto key = key_of(ticket, user_id);
  auto px = std::to_string(left.count());
  (co_await client_.command({"SET", key, "1", "PX", px})).value();
}

}  // namespace seckill::coordinator::redis
