#pragma once
// UserWindowCache (user_window_cache.hpp) in this process's memory: for the embedded mode, where
// the process is the whole service. Bounded: cleared when it grows past a limit.

#include <mutex>
#include <string>
#include <unordered_map>

#include "lock/user_window_cache.hpp"

namespace seckill::lock {

/// Thread-safe.
class LocalUserWindowCache final : public UserWindowCache {
 public:
  boost::asio::awaitable<std::optional<std::chrono::milliseconds>> remaining(
      std::string ticket, std::uint64_t user_id) override;
  boost::asio::awaitable<void> remember(std::string ticket, std::uint64_t user_id,
                                        std::chrono::milliseconds left) override;

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> until_;
};

}  // namespace seckill::lock
