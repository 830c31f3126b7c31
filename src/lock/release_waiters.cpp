#include "lock/release_waiters.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace seckill::lock {

namespace asio = boost::asio;

std::shared_ptr<ReleaseWaiters::Waiter> ReleaseWaiters::add(const std::string& resource,
                                                            asio::any_io_executor executor) {
  auto waiter = std::make_shared<Waiter>(std::move(executor));
  std::lock_guard lock(mutex_);
  waiting_[resource].push_back(waiter);
  return waiter;
}

void ReleaseWaiters::remove(const std::string& resource, const std::shared_ptr<Waiter>& waiter) {
  std::lock_guard lock(mutex_);
  auto it = waiting_.find(resource);
  if (it == waiting_.end()) return;
  std::erase(it->second, waiter);
  if (it->second.empty()) waiting_.erase(it);
}

std::size_t ReleaseWaiters::notify(std::string_view resource) {
  std::shared_ptr<Waiter> woken;
  {
    std::lock_guard lock(mutex_);
    auto it = waiting_.find(std::string(resource));
    if (it == waiting_.end() || it->second.empty()) return 0;
    // The longest waiting only: one release frees the lock for one holder, so waking them all
    // would send every waiter of every instance to the server for one of them to win.
    woken = std::move(it->second.front());
    it->second.erase(it->second.begin());
    if (it->second.empty()) waiting_.erase(it);
  }
  woken->notified_.store(true, std::memory_order_release);
  // The timer belongs to the waiter's executor: cancel it there. If the waiter is not waiting
  // yet, it sees the flag before it starts to.
  asio::post(woken->timer_.get_executor(), [woken] { woken->timer_.cancel(); });
  notified_total_.fetch_add(1, std::memory_order_relaxed);
  return 1;
}

asio::awaitable<bool> ReleaseWaiters::wait(Waiter& waiter, std::chrono::milliseconds timeout) {
  if (waiter.notified_.load(std::memory_order_acquire)) co_return true;
  waiter.timer_.expires_after(timeout);
  co_await waiter.timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return waiter.notified_.load(std::memory_order_acquire);
}

}  // namespace seckill::lock
