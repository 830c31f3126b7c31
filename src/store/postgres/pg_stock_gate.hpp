#pragma once
// The sale decided by PostgreSQL alone (`serve --sale-strategy db`, issue #6): one transaction
// per purchase — the user's existing order, the window and the stock checked, the stock lowered
// with a conditional UPDATE (`stock_left > 0`) and the order inserted under the unique
// (user_id, voucher_id) key. The order is in the store when the answer goes out (`confirmed`),
// and nothing needs a queue or a writer. Correct under any number of instances; slow on a hot
// voucher, whose row every purchase locks in turn (see docs/benchmarks.md).

#include "sale/stock_gate.hpp"
#include "store/postgres/pg_pool.hpp"

namespace seckill::store::postgres {

/// Thread-safety: as PgPool, which must outlive the gate. Members throw InfraError as PgPool::run.
class PgStockGate final : public sale::StockGate {
 public:
  explicit PgStockGate(PgPool& pool) : pool_(pool) {}

  /// Nothing to load: the voucher row is the stock.
  boost::asio::awaitable<void> load(Voucher voucher) override;
  boost::asio::awaitable<sale::TakeResult> take(Order order) override;
  /// nullopt: the sale reads stock_left from the store itself.
  boost::asio::awaitable<std::optional<std::int64_t>> stock_left(std::uint64_t voucher_id) override;
  /// nullopt: every order taken is already stored.
  boost::asio::awaitable<std::optional<Order>> find_pending(std::uint64_t order_id) override;

 private:
  PgPool& pool_;
};

/// The purchase transaction itself, on a connection outside any transaction (PgStockGate::take
/// runs it on the pool). Throws as PgConnection::exec.
sale::TakeResult take_order_in_transaction(PgConnection& c, const Order& order);

}  // namespace seckill::store::postgres
