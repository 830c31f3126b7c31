#pragma once
// Orders in PostgreSQL. The coordinator has already decided each order (stock and the one order
// per user rule); the store records them in batches and keeps `vouchers.stock_left` in step, so
// that for every voucher `stock_left + count(orders) = stock_total`.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/order.hpp"
#include "sale/sale_audit.hpp"
#include "sale/sale_store.hpp"
#include "store/postgres/pg_pool.hpp"

namespace seckill::store::postgres {

/// An order taken by the coordinator, to be recorded.
struct OrderRow {
  std::uint64_t order_id = 0;
  std::uint64_t user_id = 0;
  std::uint64_t voucher_id = 0;
  SysTime created_at;
};

/// Records a batch in one statement (one transaction): inserts every row whose id and
/// (user_id, voucher_id) are both new, skipping the others (duplicates in the store or in the
/// batch), and lowers each voucher's stock_left by exactly the rows inserted for it. Replaying
/// a batch therefore changes nothing. Returns the number of rows inserted.
///
/// The vouchers of the batch are locked after the inserts and in id order, so batches on one
/// hot voucher overlap their inserts and concurrent batches cannot deadlock; a deadlock or
/// serialization failure reported anyway is retried a few times. Throws PgError if a voucher
/// does not exist (kForeignKeyViolation) or its stock_left would go below zero
/// (kCheckViolation): the whole batch is then refused. When some row was skipped, the rows
/// whose id is stored for another order (another user or voucher: an id issued twice) are looked
/// for, and the first is refused loudly: logged as an error and thrown as a PgError
/// (kUniqueViolation) naming both orders, never counted as stored (the batch's new rows are
/// committed; writing them again changes nothing). The same order again is a no-op.
/// Batches up to a few thousand rows are the intended size.
std::int64_t insert_orders(PgConnection& c, std::span<const OrderRow> rows);

/// The order, status `confirmed` (it is stored), or nullopt.
std::optional<Order> select_order(PgConnection& c, std::uint64_t id);
/// Up to f.limit stored orders (confirmed) by id descending, below f.before_id, of f.voucher_id
/// and/or f.user_id.
std::vector<Order> select_order_page(PgConnection& c, const sale::OrderFilter& f);
std::int64_t count_orders(PgConnection& c, std::uint64_t voucher_id);
/// The voucher's stock and its stored orders in one statement (one snapshot), or nullopt.
std::optional<sale::StoreView> select_store_view(PgConnection& c, std::uint64_t voucher_id);

/// Thread-safety: as PgPool. The pool must outlive the store.
class PgOrderStore {
 public:
  explicit PgOrderStore(PgPool& pool) : pool_(pool) {}

  /// insert_orders on the pool. The batch is taken by value: it stays valid however long the
  /// call waits for a connection.
  boost::asio::awaitable<std::int64_t> write_orders(std::vector<OrderRow> rows);
  boost::asio::awaitable<std::optional<Order>> find_order(std::uint64_t id);
  boost::asio::awaitable<std::vector<Order>> find_orders(sale::OrderFilter f);
  boost::asio::awaitable<std::int64_t> count_orders(std::uint64_t voucher_id);
  boost::asio::awaitable<std::optional<sale::StoreView>> store_view(std::uint64_t voucher_id);

 private:
  PgPool& pool_;
};

}  // namespace seckill::store::postgres
