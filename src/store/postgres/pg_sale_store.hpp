#pragma once
// The sale's system of record (sale/sale_store.hpp) in PostgreSQL: the voucher and order stores
// behind the interface the sale owns. Only app/ names this type.

#include <boost/asio/awaitable.hpp>

#include "sale/sale_store.hpp"
#include "store/postgres/order_store.hpp"
#include "store/postgres/pg_pool.hpp"
#include "store/postgres/voucher_store.hpp"

namespace seckill::store::postgres {

/// Thread-safety: as PgPool. The pool must outlive the store. Every member throws InfraError
/// (IoError, TimeoutError, PgError) as PgPool::run does.
class PgSaleStore final : public sale::SaleStore {
 public:
  explicit PgSaleStore(PgPool& pool) : vouchers_(pool), orders_(pool) {}

  boost::asio::awaitable<Voucher> create_voucher(std::uint64_t id, NewVoucher v) override;
  boost::asio::awaitable<std::optional<Voucher>> find_voucher(std::uint64_t id) override;
  boost::asio::awaitable<std::vector<Voucher>> list_vouchers() override;
  boost::asio::awaitable<std::vector<Voucher>> find_vouchers(sale::VoucherFilter f) override;
  boost::asio::awaitable<std::optional<Voucher>> end_voucher(std::uint64_t id,
                                                             SysTime now) override;
  /// insert_orders (order_store.hpp); each order's status is ignored (stored means confirmed).
  boost::asio::awaitable<std::size_t> write_orders(std::vector<Order> orders) override;
  boost::asio::awaitable<std::optional<Order>> find_order(std::uint64_t id) override;
  boost::asio::awaitable<std::optional<sale::StoreView>> store_view(
      std::uint64_t voucher_id) override;
  boost::asio::awaitable<std::vector<Order>> find_orders(sale::OrderFilter f) override;

 private:
  PgVoucherStore vouchers_;
  PgOrderStore orders_;
};

}  // namespace seckill::store::postgres
