#include "lock/locked_stock_gate.hpp"

#include <exception>

#include <fmt/format.h>

#include "core/infra_error.hpp"

namespace seckill::lock {

namespace asio = boost::asio;

LockedStockGate::LockedStockGate(sale::StockGate& inner, DistributedLock& lock,
                                 AcquireOptions options)
    : inner_(inner), lock_(lock), options_(std::move(options)) {}

asio::awaitable<void> LockedStockGate::load(Voucher voucher) {
  co_await inner_.load(std::move(voucher));
}

asio::awaitable<sale::TakeResult> LockedStockGate::take(Order order) {
  auto resource = fmt::format("sale:user:{}", order.user_id);
  auto lease = co_await lock_.acquire(resource, options_);
  if (!lease) {
    throw InfraError(fmt::format("the lock of user {} was not free within {} ms", order.user_id,
                                 options_.wait.count()));
  }
  std::exception_ptr failure;
  sale::TakeResult result;
  try {
    result = co_await inner_.take(order);
  } catch (...) {
    failure = std::current_exception();  // released below: no co_await inside a handler
  }
  try {
    co_await lock_.release(**lease);
  } catch (const InfraError&) {
    // The lease expires by itself; the purchase's outcome stands.
  }
  if (failure) std::rethrow_exception(failure);
  co_return result;
}

asio::awaitable<std::optional<std::int64_t>> LockedStockGate::stock_left(std::uint64_t voucher_id) {
  co_return co_await inner_.stock_left(voucher_id);
}

asio::awaitable<std::optional<Order>> LockedStockGate::find_pending(std::uint64_t order_id) {
  co_return co_await inner_.find_pending(order_id);
}

asio::awaitable<std::vector<Order>> LockedStockGate::pending_orders(std::uint64_t voucher_id) {
  co_return co_await inner_.pending_orders(voucher_id);
}

asio::awaitable<std::vector<Order>> LockedStockGate::pending_orders_of_user(std::uint64_t user_id) {
  co_return co_await inner_.pending_orders_of_user(user_id);
}

asio::awaitable<std::optional<std::vector<sale::Buyer>>> LockedStockGate::buyers(
    std::uint64_t voucher_id) {
  co_return co_await inner_.buyers(voucher_id);
}

}  // namespace seckill::lock
