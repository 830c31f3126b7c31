#pragma once
// Vouchers in PostgreSQL: created by admins, read to warm caches and by `seckill check`.
//
// Each operation exists twice: a blocking function on a PgConnection (for tools, tests and for
// composing inside one transaction) and an awaitable member of PgVoucherStore that runs it on
// the pool.

#include <cstdint>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/voucher.hpp"
#include "sale/sale_store.hpp"
#include "store/postgres/pg_pool.hpp"

namespace seckill::store::postgres {

/// One voucher's stock as the store sees it. After a sale has drained,
/// `stock_left + orders == stock_total` and `stock_left >= 0`.
struct StockAudit {
  std::uint64_t voucher_id = 0;
  std::int64_t stock_total = 0;
  std::int64_t stock_left = 0;
  std::int64_t orders = 0;
};

/// Inserts a voucher with stock_left = stock_total = v.stock and created_at = now (the
/// server's clock). Throws PgError with is_unique_violation() if `id` exists.
Voucher insert_voucher(PgConnection& c, std::uint64_t id, const NewVoucher& v);
std::optional<Voucher> select_voucher(PgConnection& c, std::uint64_t id);
/// Every voucher, by id.
std::vector<Voucher> select_vouchers(PgConnection& c);
/// Up to f.limit vouchers by id descending, below f.before_id, of f.status at f.now.
std::vector<Voucher> select_voucher_page(PgConnection& c, const sale::VoucherFilter& f);
/// end_at = least(end_at, now), begin_at = least(begin_at, now); the voucher afterwards, or
/// nullopt if there is none.
std::optional<Voucher> end_voucher(PgConnection& c, std::uint64_t id, SysTime now);
/// Every voucher's stock and order count, by id, read in one statement (one snapshot).
std::vector<StockAudit> select_stock_audit(PgConnection& c);

/// Thread-safety: as PgPool. Holds a reference: the pool must outlive it. Every member throws
/// what PgPool::run and the blocking function throw.
class PgVoucherStore {
 public:
  explicit PgVoucherStore(PgPool& pool) : pool_(pool) {}

  boost::asio::awaitable<Voucher> create_voucher(std::uint64_t id, NewVoucher v);
  boost::asio::awaitable<std::optional<Voucher>> find_voucher(std::uint64_t id);
  boost::asio::awaitable<std::vector<Voucher>> list_vouchers();
  boost::asio::awaitable<std::vector<Voucher>> find_vouchers(sale::VoucherFilter f);
  boost::asio::awaitable<std::optional<Voucher>> end_voucher(std::uint64_t id, SysTime now);
  boost::asio::awaitable<std::vector<StockAudit>> stock_audit();

 private:
  PgPool& pool_;
};

}  // namespace seckill::store::postgres
