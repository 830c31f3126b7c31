#pragma once
// A held lock: what DistributedLock::acquire returns. Its fencing token goes with every write
// made under the lock (fencing.hpp of the stores), so a holder that paused past its lease (GC,
// swap, SIGSTOP) and writes late is refused by the store, whatever it believes.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>

namespace seckill::lock {

/// Shared by the holder and the watchdog that renews it (always made with make_shared).
class Lease : public std::enable_shared_from_this<Lease> {
 public:
  using Clock = std::chrono::steady_clock;

  Lease(std::string resource, std::string owner, std::int64_t fencing_token,
        std::chrono::milliseconds ttl, Clock::time_point valid_until,
        boost::asio::any_io_executor executor)
      : resource_(std::move(resource)),
        owner_(std::move(owner)),
        fencing_token_(fencing_token),
        ttl_(ttl),
        valid_until_(valid_until.time_since_epoch().count()),
        timer_(std::move(executor)) {}

  const std::string& resource() const { return resource_; }
  /// The random owner token (owner_token.hpp).
  const std::string& owner() const { return owner_; }
  /// Larger than every token handed out for this resource before this lease.
  std::int64_t fencing_token() const { return fencing_token_; }
  std::chrono::milliseconds ttl() const { return ttl_; }

  /// True once the watchdog found the lock taken by another or expired, or once this process's
  /// own clock says the lease ran out (counted from before the last successful extension was
  /// sent, so never later than the server's expiry). A holder should stop and not write; if it
  /// writes anyway, fencing refuses the write.
  bool lost() const {
    return lost_.load(std::memory_order_acquire) ||
           Clock::now().time_since_epoch().count() >= valid_until_.load(std::memory_order_acquire);
  }

 private:
  friend class DistributedLock;

  std::string resource_;
  std::string owner_;
  std::int64_t fencing_token_;
  std::chrono::milliseconds ttl_;
  std::atomic<Clock::rep> valid_until_;
  std::atomic<bool> lost_{false};
  std::atomic<bool> released_{false};
  std::function<void()> on_lost_;
  boost::asio::steady_timer timer_;  ///< the watchdog's, on the acquirer's executor
};

}  // namespace seckill::lock
