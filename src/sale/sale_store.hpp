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

/// One page of `find_vouchers`: newest (largest id) first, ids below `before_id` only.
struct VoucherFilter {
  std::optional<VoucherStatus> status;  ///< nullopt: every voucher
  SysTime now;                          ///< what `status` is judged against
  std::optional<std::uint64_t> before_id;
  int limit = 50;
};

/// One page of `find_orders`: newest (largest id) first, ids below `before_id` only, of one
/// voucher or of one user (whichever is set; both: that user's order of that voucher).
struct OrderFilter {
  std::optional<std::uint64_t> voucher_id;
  std::optional<std::uint64_t> user_id;
  std::optional<std::uint64_t> before_id;
  int limit = 50;
};

class SaleStore {
 public:
  virtual ~SaleStore() = default;

  /// Stores a new voucher with stock_left = stock_total = v.stock. Throws InfraError.
  virtual boost::asio::awaitable<Voucher> create_voucher(std::uint64_t id, NewVoucher v) = 0;
  virtual boost::asio::awaitable<std::optional<Voucher>> find_voucher(std::uint64_t id) = 0;
  virtual boost::asio::awaitable<std::vector<Voucher>> list_vouchers() = 0;
  /// Up to `f.limit` vouchers, by id descending (keyset: stable while vouchers are added).
  virtual boost::asio::awaitable<std::vector<Voucher>> find_vouchers(VoucherFilter f) = 0;

  /// Ends a voucher's sale at `now`: end_at becomes min(end_at, now), and begin_at min(begin_at,
  /// now) so that a sale ended before it began reads `ended`, not `upcoming`. Returns the
  /// voucher as stored afterwards, or nullopt if there is none. Throws InfraError.
  virtual boost::asio::awaitable<std::optional<Voucher>> end_voucher(std::uint64_t id,
                                                                     SysTime now) = 0;

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
  /// Up to `f.limit` stored orders (status confirmed), by id descending. Throws InfraError.
  virtual boost::asio::awaitable<std::vector<Order>> find_orders(OrderFilter f) = 0;
};

}  // namespace seckill::sale
