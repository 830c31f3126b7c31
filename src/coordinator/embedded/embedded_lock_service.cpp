#include "coordinator/embedded/embedded_lock_service.hpp"

#include <algorithm>

namespace seckill::coordinator::embedded {

namespace asio = boost::asio;

EmbeddedLockService::EmbeddedLockService()
    : next_fence_(std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count()) {}

asio::awaitable<lock::AcquireAttempt> EmbeddedLockService::try_acquire(
    std::string resource, std::string owner, std::chrono::milliseconds ttl) {
  lock::AcquireAttempt attempt;
  {
    std::lock_guard guard(mutex_);
    auto now = Clock::now();
    auto& h = locks_[resource];
    if (held(h, now)) {
      attempt.holder_left = std::chrono::ceil<std::chrono::milliseconds>(h.expires - now);
    } else {
      h.owner = std::move(owner);
      h.expires = now + ttl;
      // One counter for every resource: it only grows, which is all a fencing token needs.
      attempt.fencing_token = ++next_fence_;
    }
  }
  co_return attempt;
}

asio::awaitable<void> EmbeddedLockService::raise_fence(std::string /*resource*/,
                                                       std::int64_t at_least) {
  {
    std::lock_guard guard(mutex_);
    next_fence_ = std::max(next_fence_, at_least);
  }
  co_return;
}

asio::awaitable<bool> EmbeddedLockService::extend(std::string resource, std::string owner,
                                                  std::chrono::milliseconds ttl) {
  bool extended = false;
  {
    std::lock_guard guard(mutex_);
    auto now = Clock::now();
    auto it = locks_.find(resource);
    if (it != locks_.end() && held(it->second, now) && it->second.owner == owner) {
      it->second.expires = now + ttl;
      extended = true;
    }
  }
  co_return extended;
}

asio::awaitable<bool> EmbeddedLockService::release(std::string resource, std::string owner) {
  bool released = false;
  {
    std::lock_guard guard(mutex_);
    auto it = locks_.find(resource);
    if (it != locks_.end() && held(it->second, Clock::now()) && it->second.owner == owner) {
      locks_.erase(it);
      released = true;
    }
  }
  if (released) waiters_.notify(resource);
  co_return released;
}

}  // namespace seckill::coordinator::embedded
