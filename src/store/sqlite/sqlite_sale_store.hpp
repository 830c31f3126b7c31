#pragma once
// The sale's system of record (sale/sale_store.hpp) in the embedded SQLite store, plus what the
// embedded coordinator and id generator are rebuilt from at start. Only app/ and the embedded
// mode name this type.

#include <cstdint>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "sale/sale_audit.hpp"
#include "sale/sale_store.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace seckill::store::sqlite {

/// Thread-safety: as SqliteDatabase, which must outlive the store. Writes are durable when they
/// return (group commit, synchronous=FULL). Every member throws InfraError: IoError when the
/// database is stopped, its queue is full or a commit failed, SqliteError when a statement is
/// refused.
class SqliteSaleStore final : public sale::SaleStore {
 public:
  explicit SqliteSaleStore(SqliteDatabase& db) : db_(db) {}

  boost::asio::awaitable<Voucher> create_voucher(std::uint64_t id, NewVoucher v) override;
  boost::asio::awaitable<std::optional<Voucher>> find_voucher(std::uint64_t id) override;
  boost::asio::awaitable<std::vector<Voucher>> list_vouchers() override;
  boost::asio::awaitable<std::vector<Voucher>> find_vouchers(sale::VoucherFilter f) override;
  boost::asio::awaitable<std::optional<Voucher>> end_voucher(std::uint64_t id,
                                                             SysTime now) override;
  /// insert_orders (sale_tables.hpp) in the next group commit: the batch is stored, or refused
  /// as a whole, once this returns.
  boost::asio::awaitable<std::size_t> write_orders(std::vector<Order> orders) override;
  boost::asio::awaitable<std::optional<Order>> find_order(std::uint64_t id) override;
  /// One voucher of select_store_views (which reads them all: the embedded coordinator never
  /// loses its state apart from the store, so this is not on any hot path).
  boost::asio::awaitable<std::optional<sale::StoreView>> store_view(
      std::uint64_t voucher_id) override;
  boost::asio::awaitable<std::vector<Order>> find_orders(sale::OrderFilter f) override;

  /// select_store_views: every voucher with its stock and buyers.
  boost::asio::awaitable<std::vector<sale::StoreView>> store_views();
  /// select_max_id: the largest id stored.
  boost::asio::awaitable<std::uint64_t> max_id();

  /// The same two, blocking, for start-up before the I/O threads run.
  std::vector<sale::StoreView> store_views_now();
  std::uint64_t max_id_now();

 private:
  SqliteDatabase& db_;
};

}  // namespace seckill::store::sqlite
