#include "lock/local_user_window_cache.hpp"

#include <fmt/format.h>

namespace seckill::lock {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

constexpr std::size_t kMaxEntries = 100'000;

std::string key_of(const std::string& ticket, std::uint64_t user_id) {
  return fmt::format("{}\n{}", ticket, user_id);
}

}  // namespace

asio::awaitable<std::optional<CachedWindow>> LocalUserWindowCache::remaining(
    std::string ticket, std::uint64_t user_id) {
  std::optional<CachedWindow> left;
  {
    std::lock_guard guard(mutex_);
    auto it = until_.find(key_of(ticket, user_id));
    if (it != until_.end()) {
      auto now = clock_();
      if (now < it->second.until) {
        left = CachedWindow{std::chrono::ceil<milliseconds>(it->second.until - now),
                            it->second.reminder_id};
      } else {
        until_.erase(it);
      }
    }
  }
  co_return left;
}

asio::awaitable<void> LocalUserWindowCache::remember(std::string ticket, std::uint64_t user_id,
                                                     SysTime until, std::uint64_t reminder_id) {
  {
    std::lock_guard guard(mutex_);
    if (until <= clock_()) co_return;
    if (until_.size() >= kMaxEntries) until_.clear();
    until_[key_of(ticket, user_id)] = Entry{until, reminder_id};
  }
  co_return;
}

}  // namespace seckill::lock
