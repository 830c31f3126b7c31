#pragma once
// The flash sale as a use case: create and read vouchers, take and read orders. The rules
// (window, stock, one order per user) are decided here and in the StockGate; this class knows
// nothing of Redis, PostgreSQL or HTTP.

#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error_code.hpp"
#include "core/id_source.hpp"
#include "core/order.hpp"
#include "core/voucher.hpp"
#include "metrics/voucher_outcomes.hpp"
#include "sale/sale_store.hpp"
#include "sale/stock_gate.hpp"
#include "sale/stock_rebuild.hpp"
#include "sale/voucher_cache.hpp"

namespace seckill::sale {

using Clock = std::function<SysTime()>;

struct TakenOrder {
  std::uint64_t order_id = 0;
  OrderStatus status = OrderStatus::pending;
};

/// Told when this instance sees a voucher sell out, so it can tell the others.
using SoldOutListener = std::function<void(std::uint64_t voucher_id)>;
/// Told when an admin ends a sale on this instance, so it can tell the others.
using EndedListener = std::function<void(std::uint64_t voucher_id, SysTime end_at)>;

/// `limit` of the listings: 1..kMaxPageLimit, kDefaultPageLimit when not given.
inline constexpr int kDefaultPageLimit = 50;
inline constexpr int kMaxPageLimit = 500;

/// One page of a listing, newest first; `next`: the id to continue below, nullopt on the last.
struct VoucherPage {
  std::vector<Voucher> vouchers;
  std::optional<std::uint64_t> next;
};
struct OrderPage {
  std::vector<Order> orders;
  std::optional<std::uint64_t> next;
};

/// Thread-safe; one per process, shared by every I/O thread. Every method throws InfraError
/// when a backend it needs is down (the HTTP layer answers 503), and returns a Failure for the
/// outcomes a client causes.
class SaleService {
 public:
  SaleService(StockGate& gate, SaleStore& store, IdSource& ids, Clock clock,
              RebuildOptions rebuild = {});

  void on_sold_out(SoldOutListener listener) { sold_out_listener_ = std::move(listener); }
  void on_ended(EndedListener listener) { ended_listener_ = std::move(listener); }
  VoucherCache& cache() { return cache_; }
  /// Orders taken and refused per voucher on this instance (recorded by the HTTP route).
  metrics::VoucherOutcomes& outcomes() { return outcomes_; }

  boost::asio::awaitable<std::expected<Voucher, Failure>> create_voucher(NewVoucher v);

  /// The voucher with its live stock_left (the coordinator's view, which leads the store's).
  boost::asio::awaitable<std::expected<Voucher, Failure>> get_voucher(std::uint64_t id);

  /// not_found, not_started, ended, sold_out, already_ordered, or the order taken (pending).
  /// A voucher whose coordinator state is lost throws InfraError (503) until it is rebuilt
  /// (sale/stock_rebuild.hpp), which this starts.
  boost::asio::awaitable<std::expected<TakenOrder, Failure>> take_order(std::uint64_t user_id,
                                                                        std::uint64_t voucher_id);

  /// The order if `caller_id` owns it or `caller_is_admin`; not_found otherwise (an order that
  /// is someone else's is not revealed to exist).
  boost::asio::awaitable<std::expected<Order, Failure>> get_order(std::uint64_t order_id,
                                                                  std::uint64_t caller_id,
                                                                  bool caller_is_admin);

  /// Vouchers by id descending, below `after` when given, each with stock_left as get_voucher
  /// gives it. Pages stay stable while vouchers are added (keyset on id, not an offset).
  boost::asio::awaitable<VoucherPage> list_vouchers(std::optional<VoucherStatus> status,
                                                    std::optional<std::uint64_t> after, int limit);

  /// A voucher's orders, stored and pending (taken, not yet in the store: status pending), by
  /// id descending below `after`; not_found for an unknown voucher.
  boost::asio::awaitable<std::expected<OrderPage, Failure>> voucher_orders(
      std::uint64_t voucher_id, std::optional<std::uint64_t> after, int limit);

  /// One user's orders of every voucher, as voucher_orders.
  boost::asio::awaitable<OrderPage> user_orders(std::uint64_t user_id,
                                                std::optional<std::uint64_t> after, int limit);

  /// Ends the voucher's sale now: end_at (and a later begin_at) becomes now in the store, this
  /// instance's cache learns it at once and the ended listener tells the others. Orders
  /// already taken stay. A sale already ended is answered unchanged (so a retry after a lost
  /// answer is harmless). not_found for an unknown voucher.
  boost::asio::awaitable<std::expected<Voucher, Failure>> end_voucher(std::uint64_t voucher_id);

 private:
  boost::asio::awaitable<std::shared_ptr<CachedVoucher>> cached(std::uint64_t voucher_id);
  void sold_out(CachedVoucher& v);

  StockGate& gate_;
  SaleStore& store_;
  IdSource& ids_;
  Clock clock_;
  VoucherCache cache_;
  StockRebuild rebuild_;
  SoldOutListener sold_out_listener_;
  EndedListener ended_listener_;
  metrics::VoucherOutcomes outcomes_;
};

}  // namespace seckill::sale
