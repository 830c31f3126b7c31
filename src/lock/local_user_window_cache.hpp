#pragma once
// UserWindowCache (user_window_cache.hpp) in this process's memory: for the embedded mode, where
// the process is the whole service. Bounded: cleared when it grows past a limit.

#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "lock/user_window_cache.hpp"

namespace seckill::lock {

/// Thread-safe.
class LocalUserWindowCache final : public UserWindowCache {
 public:
  using Clock = std::function<SysTime()>;

  explicit LocalUserWindowCache(Clock clock = [] { return std::chrono::system_clock::now(); })
      : clock_(std::move(clock)) {}

  boost::asio::awaitable<std::optional<CachedWindow>> remaining(std::string ticket,
                                                                std::uint64_t user_id) override;
  boost::asio::awaitable<void> remember(std::string ticket, std::uint64_t user_id, SysTime until,
                                        std::uint64_t reminder_id) override;

 private:
  Clock clock_;
  std::mutex mutex_;
  struct Entry {
    SysTime until;
    std::uint64_t reminder_id = 0;
  };
  std::unordered_map<std::string, Entry> until_;
};

}  // namespace seckill::lock
