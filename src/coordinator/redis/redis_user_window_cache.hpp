#pragma once
// The lock-based reminder strategy's per-user check (lock/user_window_cache.hpp) in Redis, shared
// by every instance: one key per (ticket, user) expiring (PXAT) when the user's window ends.

#include "lock/user_window_cache.hpp"
#include "redis/client.hpp"

namespace seckill::coordinator::redis {

/// Thread-safe. The Client must outlive the cache.
class RedisUserWindowCache final : public lock::UserWindowCache {
 public:
  explicit RedisUserWindowCache(seckill::redis::Client& client) : client_(client) {}

  boost::asio::awaitable<std::optional<lock::CachedWindow>> remaining(
      std::string ticket, std::uint64_t user_id) override;
  boost::asio::awaitable<void> remember(std::string ticket, std::uint64_t user_id, SysTime until,
                                        std::uint64_t reminder_id) override;

 private:
  seckill::redis::Client& client_;
};

}  // namespace seckill::coordinator::redis
