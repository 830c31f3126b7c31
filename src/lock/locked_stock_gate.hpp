#pragma once
// The classic lock-based sale (`serve --sale-strategy lock`, issue #6): a distributed lock per
// user around the purchase, which another StockGate (the PostgreSQL transaction of
// store/postgres/pg_stock_gate.hpp, or its SQLite twin) then decides; the lock is released only
// after that commit. The lock keeps one user's concurrent purchases from racing each other; the
// store's unique key and conditional UPDATE keep the sale exact even if a lease were lost.

#include "lock/distributed_lock.hpp"
#include "sale/stock_gate.hpp"

namespace seckill::lock {

/// Thread-safe. `inner` and `lock` must outlive the gate.
class LockedStockGate final : public sale::StockGate {
 public:
  LockedStockGate(sale::StockGate& inner, DistributedLock& lock, AcquireOptions options);

  boost::asio::awaitable<void> load(Voucher voucher) override;
  /// Throws InfraError (503) when the user's lock is not acquired within the wait.
  boost::asio::awaitable<sale::TakeResult> take(Order order) override;
  boost::asio::awaitable<std::optional<std::int64_t>> stock_left(std::uint64_t voucher_id) override;
  boost::asio::awaitable<std::optional<Order>> find_pending(std::uint64_t order_id) override;
  boost::asio::awaitable<std::vector<Order>> pending_orders(std::uint64_t voucher_id) override;
  boost::asio::awaitable<std::vector<Order>> pending_orders_of_user(std::uint64_t user_id) override;
  boost::asio::awaitable<std::optional<std::vector<sale::Buyer>>> buyers(
      std::uint64_t voucher_id) override;

 private:
  sale::StockGate& inner_;
  DistributedLock& lock_;
  AcquireOptions options_;
};

}  // namespace seckill::lock
