#pragma once
// The primitives a distributed lock is built from, implemented by a lock server (Redis:
// coordinator/redis/redis_lock_service.hpp) or in process (coordinator/embedded/
// embedded_lock_service.hpp). DistributedLock (distributed_lock.hpp) adds the bounded wait, the
// renewal watchdog and the lease bookkeeping on top, the same for both.
//
// Ownership is a random token (owner_token.hpp) that only its holder knows, never a time: two
// clients can never both believe they own a lock, and no clock needs to agree with another.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "lock/release_waiters.hpp"

namespace seckill::lock {

struct AcquireAttempt {
  /// Set when the lock was taken: the resource's fencing token, larger than every token handed
  /// out for this resource before.
  std::optional<std::int64_t> fencing_token;
  /// When the lock is held by another: how long its lease still runs (0: unknown), so a waiter
  /// that hears no release does not wait longer than the holder can hold.
  std::chrono::milliseconds holder_left{0};
};

/// Every member may throw InfraError (the lock server is unreachable): then the operation may or
/// may not have happened, and the caller must assume the worse (a lock possibly taken expires by
/// itself after `ttl`; a possibly failed extension is retried by the watchdog).
class LockService {
 public:
  virtual ~LockService() = default;

  /// Takes `resource` for `owner` for `ttl` if nobody holds it (atomic: set-if-absent with an
  /// expiry, and the fencing counter incremented in the same step).
  virtual boost::asio::awaitable<AcquireAttempt> try_acquire(std::string resource,
                                                             std::string owner,
                                                             std::chrono::milliseconds ttl) = 0;

  /// Compare-and-extend: if `owner` still holds `resource`, its lease runs `ttl` from now and
  /// true is returned; otherwise nothing changes and false is returned (the lease was lost).
  virtual boost::asio::awaitable<bool> extend(std::string resource, std::string owner,
                                              std::chrono::milliseconds ttl) = 0;

  /// Compare-and-delete: if `owner` holds `resource` it is released, waiters are notified and
  /// true is returned; otherwise (another owner, or expired) nothing changes and false.
  virtual boost::asio::awaitable<bool> release(std::string resource, std::string owner) = 0;

  /// Makes every fencing token handed out for `resource` from now on larger than `at_least`
  /// (the counter only grows). For a counter the lock server lost: seeded from the store's
  /// largest accepted token, so holders are not refused until it climbs back.
  virtual boost::asio::awaitable<void> raise_fence(std::string resource, std::int64_t at_least) = 0;

  /// Where this service delivers release notifications (from any thread).
  virtual ReleaseWaiters& waiters() = 0;
};

}  // namespace seckill::lock
