#pragma once
// Waiters for a lock's release: a waiter sleeps on a timer of its own executor and is woken by
// `notify` (a Redis pub/sub message, or the in-process release), so nobody polls the lock server
// in a loop. Notifications are hints: a waiter that missed one wakes at its timeout and tries
// again.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

namespace seckill::lock {

/// Thread-safe. A Waiter is used by one coroutine on a single-threaded executor.
class ReleaseWaiters {
 public:
  class Waiter {
   public:
    explicit Waiter(boost::asio::any_io_executor executor) : timer_(std::move(executor)) {}

   private:
    friend class ReleaseWaiters;
    boost::asio::steady_timer timer_;
    std::atomic<bool> notified_{false};
  };

  /// Registers a waiter for `resource` on `executor` (the caller's). Register before trying the
  /// lock, so a release between the attempt and the wait is not missed.
  std::shared_ptr<Waiter> add(const std::string& resource, boost::asio::any_io_executor executor);
  void remove(const std::string& resource, const std::shared_ptr<Waiter>& waiter);

  /// Wakes the longest-waiting waiter of `resource` (from any thread), which then tries the
  /// lock; the others wait for the next release (or their fallback timeout). In the distributed
  /// mode every instance wakes one of its own. Returns how many were woken (0 or 1).
  std::size_t notify(std::string_view resource);

  /// Sleeps until `waiter` is notified (true) or `timeout` passes (false). On the waiter's
  /// executor.
  static boost::asio::awaitable<bool> wait(Waiter& waiter, std::chrono::milliseconds timeout);

  /// Wake-ups delivered so far (for tests and metrics).
  std::uint64_t notified_count() const { return notified_total_.load(std::memory_order_relaxed); }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Waiter>>> waiting_;
  std::atomic<std::uint64_t> notified_total_{0};
};

}  // namespace seckill::lock
