#pragma once
// The embedded twin of store/postgres/pg_stock_gate.hpp (`serve --sale-strategy db` without
// --postgres): the purchase decided by one SQLite write (its own savepoint in the writer's group
// commit) — the user's order, the window and the stock checked, the stock lowered and the order
// inserted. Confirmed when answered, as every embedded order.

#include "sale/stock_gate.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace seckill::store::sqlite {

/// Thread-safety: as SqliteDatabase, which must outlive the gate.
class SqliteStockGate final : public sale::StockGate {
 public:
  explicit SqliteStockGate(SqliteDatabase& db) : db_(db) {}

  boost::asio::awaitable<void> load(Voucher voucher) override;
  boost::asio::awaitable<sale::TakeResult> take(Order order) override;
  boost::asio::awaitable<std::optional<std::int64_t>> stock_left(std::uint64_t voucher_id) override;
  boost::asio::awaitable<std::optional<Order>> find_pending(std::uint64_t order_id) override;

 private:
  SqliteDatabase& db_;
};

}  // namespace seckill::store::sqlite
