#pragma once
// A distributed lock without the flaws of the classic SETNX/GETSET lock (docs/locks.md):
//  - ownership is a random 128-bit token, set with the expiry in one atomic step;
//  - release and renewal compare the token and act in one atomic step (a non-owner's release
//    does nothing and says so);
//  - expiry is the lock server's own (a TTL), so no two clocks need to agree;
//  - a watchdog renews the lease at ttl/3 while the holder works, and reports a lost lease at
//    once;
//  - waiters sleep until a release notification (with a jittered timeout as fallback), never
//    spinning on the server;
//  - every acquisition gets a fencing token, larger than all before it, for the store to refuse
//    a stale holder's writes.
//
//     AcquireOptions options;                  // named first: no braced temporary in a co_await
//     options.ttl = 5s;
//     auto lease = co_await lock.acquire("sale:user:42", std::move(options));
//     if (!lease) co_return busy();            // not acquired within the wait
//     ... write with (*lease)->fencing_token() ...
//     co_await lock.release(**lease);

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "lock/lease.hpp"
#include "lock/lock_service.hpp"

namespace seckill::lock {

using namespace std::chrono_literals;

struct AcquireOptions {
  /// The lease: how long the lock outlives a holder that died or froze.
  std::chrono::milliseconds ttl = 10s;
  /// How long to wait for the lock before giving up (0: one attempt).
  std::chrono::milliseconds wait = 5s;
  /// A waiter that hears no release tries again after a random time in [retry/2, retry] (and
  /// never later than the holder's lease ends): the fallback for a missed notification.
  std::chrono::milliseconds retry = 1s;
  /// Renew the lease every ttl/3 until released (off: the lease simply expires after ttl).
  bool renew = true;
  /// Called once, on the acquirer's executor, when the watchdog finds the lease lost.
  std::function<void()> on_lost;
};

enum class ReleaseOutcome {
  released,   ///< it was ours and is now free; waiters were notified
  not_owner,  ///< it was not ours any more (expired, maybe taken by another): nothing changed
};

/// Thread-safe. The LockService must outlive the lock and every lease's watchdog.
class DistributedLock {
 public:
  explicit DistributedLock(LockService& service) : service_(service) {}

  /// Takes `resource`, waiting up to `options.wait`. nullopt: not acquired in time. Throws
  /// InfraError if the lock server cannot be reached. The watchdog (if `renew`) runs on the
  /// caller's executor, which must be single-threaded (an I/O thread's io_context).
  boost::asio::awaitable<std::optional<std::shared_ptr<Lease>>> acquire(std::string resource,
                                                                        AcquireOptions options);

  /// Stops the watchdog and releases the lock if this lease still owns it. Throws InfraError
  /// (then the lock expires by itself after its ttl).
  boost::asio::awaitable<ReleaseOutcome> release(Lease& lease);

  LockService& service() { return service_; }

 private:
  static boost::asio::awaitable<void> watchdog(LockService& service, std::shared_ptr<Lease> lease);

  LockService& service_;
};

}  // namespace seckill::lock
