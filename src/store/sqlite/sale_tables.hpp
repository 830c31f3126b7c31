#pragma once
// The sale's tables in SQLite (vouchers, orders, meta), as blocking functions on a connection.
// The coordinator has already decided each order; the store records it and keeps
// `vouchers.stock_left` in step, so that for every voucher `stock_left + count(orders) =
// stock_total`. Writers call these inside a transaction (SqliteDatabase::write runs them in one).

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/order.hpp"
#include "core/voucher.hpp"
#include "sale/sale_audit.hpp"
#include "sale/sale_store.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace seckill::store::sqlite {

/// Inserts a voucher with stock_left = stock_total = v.stock, created at `now` (kept to the
/// microsecond). Throws SqliteError (a constraint error if the id exists).
Voucher insert_voucher(SqliteConnection& c, std::uint64_t id, const NewVoucher& v, SysTime now);
std::optional<Voucher> select_voucher(SqliteConnection& c, std::uint64_t id);
/// Every voucher, by id.
std::vector<Voucher> select_vouchers(SqliteConnection& c);

/// Up to f.limit vouchers by id descending, below f.before_id, of f.status at f.now.
std::vector<Voucher> select_voucher_page(SqliteConnection& c, const sale::VoucherFilter& f);
/// end_at = min(end_at, now), begin_at = min(begin_at, now); the voucher afterwards, or nullopt.
/// A write: run it in a transaction (SqliteDatabase::write).
std::optional<Voucher> end_voucher(SqliteConnection& c, std::uint64_t id, SysTime now);

/// Inserts every order whose id and (user_id, voucher_id) are both new, skipping the others
/// (duplicates in the store or in the batch), and lowers each voucher's stock_left by exactly
/// the orders inserted for it; so replaying a batch changes nothing. Each order's status is
/// ignored (stored means confirmed). Returns the number inserted. Throws SqliteError, a
/// constraint error, if a voucher does not exist or its stock_left would go below zero: run it
/// in a transaction (or savepoint) so that the whole batch is then refused.
std::int64_t insert_orders(SqliteConnection& c, std::span<const Order> orders);

/// The order, status `confirmed` (it is stored), or nullopt.
std::optional<Order> select_order(SqliteConnection& c, std::uint64_t id);

/// Up to f.limit stored orders (confirmed) by id descending, below f.before_id, of f.voucher_id
/// and/or f.user_id.
std::vector<Order> select_order_page(SqliteConnection& c, const sale::OrderFilter& f);

/// Every voucher with its orders (user -> order id), by voucher id, read in one transaction:
/// what the embedded coordinator is rebuilt from at start, and what `seckill check` audits.
std::vector<sale::StoreView> select_store_views(SqliteConnection& c);

/// The largest id ever stored in any table (0 for an empty store). Ids issued after a restart
/// must be larger (IdGeneratorOptions::after_id).
std::uint64_t select_max_id(SqliteConnection& c);
/// Raises the `meta` high-water mark of ids to `id` if it is below. For every writer of a table
/// with ids; insert_voucher and insert_orders call it.
void raise_max_id(SqliteConnection& c, std::uint64_t id);

}  // namespace seckill::store::sqlite
