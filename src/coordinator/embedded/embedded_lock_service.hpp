#pragma once
// The lock primitives (lock/lock_service.hpp) in process memory, for the embedded mode: the same
// semantics as Redis (random owner, expiry on this process's monotonic clock, compare-and-extend,
// compare-and-delete, fencing tokens), and a release wakes the waiters directly.
//
// Fencing tokens start from the wall clock in microseconds at construction and grow by one per
// acquisition, so tokens after a restart are still larger than those stored before it (as long
// as the process took fewer than a million locks per second of its previous life).

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "lock/lock_service.hpp"

namespace seckill::coordinator::embedded {

/// Thread-safe.
class EmbeddedLockService final : public lock::LockService {
 public:
  EmbeddedLockService();

  boost::asio::awaitable<lock::AcquireAttempt> try_acquire(std::string resource, std::string owner,
                                                           std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<bool> extend(std::string resource, std::string owner,
                                      std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<bool> release(std::string resource, std::string owner) override;
  boost::asio::awaitable<void> raise_fence(std::string resource, std::int64_t at_least) override;
  lock::ReleaseWaiters& waiters() override { return waiters_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Held {
    std::string owner;  ///< empty: free
    Clock::time_point expires;
  };

  /// Under mutex_: whether `h` is held by anyone right now.
  static bool held(const Held& h, Clock::time_point now) {
    return !h.owner.empty() && now < h.expires;
  }

  std::mutex mutex_;
  std::unordered_map<std::string, Held> locks_;
  std::int64_t next_fence_;
  lock::ReleaseWaiters waiters_;
};

}  // namespace seckill::coordinator::embedded
