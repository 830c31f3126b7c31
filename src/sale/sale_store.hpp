#pragma once
// What the sale needs of the system of record (PostgreSQL, or SQLite embedded).

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/order.hpp"
#include "core/voucher.hpp"
#include "sale/sale_audit.hpp"

namespace seckill::sale {

class SaleStore {
 public:
  virtual ~SaleStore() = default;

  /// Stores a new voucher with stock_left = stock_total = v.stock. Throws InfraError.
  virtual boost::asio::awaitable<Voucher> create_voucher(std::uint64_t id, NewVoucher v) = 0;
  virtual boost::asio::awaitable<std::optional<Voucher>> find_voucher(std::uint64_t id) = 0;
  virtual boost::asio::awaitable<std::vector<Voucher>> list_vouchers() = 0;

  /// Stores decided orders in one transaction: an order already stored (same id, or same user
  /// and voucher) is skipped, and each voucher's stock_left drops by exactly the orders inserted.
  /// Replaying a batch is harmless. Returns how many were inserted. Throws InfraError.
  virtual boost::asio::awaitable<std::size_t> write_orders(std::vector<Order> orders) = 0;

  /// A stored order (status confirmed), or nullopt.
  virtual boost::asio::awaitable<std::optional<Order>> find_order(std::uint64_t id) = 0;

  /// The voucher's stock and every stored order of it (user -> order), read as one snapshot (one
  /// transaction), or nullopt if there is no such voucher. What a rebuild of the coordinator's
  /// state starts from (sale/stock_rebuild.hpp). Throws InfraError.
  virtual boost::asio::awaitable<std::optional<StoreView>> store_view(std::uint64_t voucher_id) = 0;
};

}  // namespace seckill::sale
