#include "lock/distributed_lock.hpp"

#include <algorithm>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/infra_error.hpp"
#include "lock/owner_token.hpp"

namespace seckill::lock {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

// Spreads the fallback retries of many waiters, so they do not arrive at the server together.
milliseconds jittered(milliseconds retry) {
  thread_local std::minstd_rand random{std::random_device{}()};
  auto half = std::max<milliseconds::rep>(1, retry.count() / 2);
  std::uniform_int_distribution<milliseconds::rep> pick(half, std::max(half, retry.count()));
  return milliseconds(pick(random));
}

Lease::Clock::rep ticks(Lease::Clock::time_point t) {
  return t.time_since_epoch().count();
}

}  // namespace

asio::awaitable<std::optional<std::shared_ptr<Lease>>> DistributedLock::acquire(
    std::string resource, AcquireOptions options) {
  auto executor = co_await asio::this_coro::executor;
  const auto deadline = Lease::Clock::now() + options.wait;
  const auto owner = random_owner_token();
  auto& waiters = service_.waiters();
  for (;;) {
    auto waiter = waiters.add(resource, executor);
    // The lease is counted from before the request left: never later than the server's expiry.
    const auto sent = Lease::Clock::now();
    AcquireAttempt attempt;
    try {
      attempt = co_await service_.try_acquire(resource, owner, options.ttl);
    } catch (const InfraError&) {
      waiters.remove(resource, waiter);
      throw;
    }
    if (attempt.fencing_token) {
      waiters.remove(resource, waiter);
      auto lease = std::make_shared<Lease>(resource, owner, *attempt.fencing_token, options.ttl,
                                           sent + options.ttl, executor);
      lease->on_lost_ = std::move(options.on_lost);
      if (options.renew) asio::co_spawn(executor, watchdog(service_, lease), asio::detached);
      co_return lease;
    }
    const auto now = Lease::Clock::now();
    if (now >= deadline) {
      waiters.remove(resource, waiter);
      co_return std::nullopt;
    }
    auto pause =
        std::min(std::chrono::duration_cast<milliseconds>(deadline - now), jittered(options.retry));
    if (attempt.holder_left.count() > 0) {
      // An expired lease sends no notification: try again when it ends.
      pause = std::min(pause, attempt.holder_left + milliseconds(1));
    }
    co_await ReleaseWaiters::wait(*waiter, std::max(pause, milliseconds(1)));
    waiters.remove(resource, waiter);
  }
}

asio::awaitable<ReleaseOutcome> DistributedLock::release(Lease& lease) {
  lease.released_.store(true, std::memory_order_release);
  // The timer is the watchdog's, on its executor; the lease is kept alive until it is cancelled.
  asio::post(lease.timer_.get_executor(),
             [self = lease.shared_from_this()] { self->timer_.cancel(); });
  bool released = co_await service_.release(lease.resource(), lease.owner());
  co_return released ? ReleaseOutcome::released : ReleaseOutcome::not_owner;
}

// Runs while the lease is held: extends it every ttl/3 (compare-and-extend) and marks it lost,
// calling on_lost, as soon as an extension is refused or the lease ran out on our own clock
// while the server could not be reached.
asio::awaitable<void> DistributedLock::watchdog(LockService& service,
                                                std::shared_ptr<Lease> lease) {
  const auto period = std::max(milliseconds(1), lease->ttl() / 3);
  auto next = Lease::Clock::now() + period;
  for (;;) {
    lease->timer_.expires_at(next);
    co_await lease->timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (lease->released_.load(std::memory_order_acquire)) co_return;
    const auto sent = Lease::Clock::now();
    // Frozen past the lease (e.g. SIGSTOP): whatever the server says now, another may have held
    // the lock in between, so it is lost without asking.
    if (ticks(sent) < lease->valid_until_.load(std::memory_order_acquire)) {
      bool unreachable = false;
      bool extended = false;
      try {
        extended = co_await service.extend(lease->resource(), lease->owner(), lease->ttl());
      } catch (const InfraError&) {
        unreachable = true;  // retried below, while the lease still runs on our clock
      }
      if (lease->released_.load(std::memory_order_acquire)) co_return;
      if (extended) {
        lease->valid_until_.store(ticks(sent + lease->ttl()), std::memory_order_release);
        next = sent + period;
        continue;
      }
      if (unreachable) {
        next =
            std::min(sent + period / 3 + milliseconds(1),
                     Lease::Clock::time_point(Lease::Clock::duration(lease->valid_until_.load())));
        continue;
      }
    }
    lease->lost_.store(true, std::memory_order_release);
    if (lease->on_lost_) {
      try {
        lease->on_lost_();
      } catch (...) {  // a holder's callback must not end the process
      }
    }
    co_return;
  }
}

}  // namespace seckill::lock
