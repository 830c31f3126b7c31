#pragma once
// The sale's coordinator in process memory, for the embedded mode (one process, no Redis): stock
// and buyers per voucher, decided under a per-voucher mutex. Unlike the Redis gate there is no
// order queue: take() writes the order to the store itself and answers `taken` only once it is
// committed, so every 201 of this mode is already a confirmed, durable order.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>

#include "sale/sale_audit.hpp"
#include "sale/sale_store.hpp"
#include "sale/stock_gate.hpp"

namespace seckill::coordinator::embedded {

/// Thread-safe: any number of I/O threads may call it at once. The store must outlive it.
///
/// How a take stays exact while the slow part (the commit) runs outside the lock: under the
/// voucher's mutex the unit is taken and the user recorded as a buyer *before* the write starts,
/// so a racing take of the same user gets `already_ordered` and stock never goes below zero. If
/// the write fails both are given back and the caller gets the store's InfraError (503, nothing
/// taken). A take that raced with one whose write then failed may have been told `sold_out`
/// or `already_ordered`; that errs on the side of the rules, never against them.
class EmbeddedStockGate final : public sale::StockGate {
 public:
  explicit EmbeddedStockGate(sale::SaleStore& store);

  /// Replaces what the gate holds with the store's view: each voucher's stock_left and buyers
  /// (SqliteSaleStore::store_views). Call at start, before serving; not with takes in flight.
  void restore(std::span<const sale::StoreView> views);

  /// Idempotent: a voucher already held keeps its stock and buyers. Never throws.
  boost::asio::awaitable<void> load(Voucher voucher) override;

  /// Decides in memory, then awaits SaleStore::write_orders({order}) (the group commit) before
  /// answering `taken`. Throws the store's InfraError when that write fails; then nothing is
  /// taken. Should the store hold an order of this user that memory did not (a store changed
  /// behind the gate's back), the answer is `already_ordered` and the unit is given back.
  boost::asio::awaitable<sale::TakeResult> take(Order order) override;

  boost::asio::awaitable<std::optional<std::int64_t>> stock_left(std::uint64_t voucher_id) override;

  /// Always nullopt: an order is stored before it is answered, so none is ever pending.
  boost::asio::awaitable<std::optional<Order>> find_pending(std::uint64_t order_id) override;

  /// The voucher as the gate holds it, for `seckill check` (sale::audit): `queued` counts the
  /// takes whose write is still in flight.
  sale::CoordinatorView view(std::uint64_t voucher_id) const;

 private:
  struct Slot {
    mutable std::mutex mutex;
    std::int64_t stock_left = 0;
    std::unordered_map<std::uint64_t, std::uint64_t> buyers;  ///< user -> order id
    std::uint64_t in_flight = 0;                              ///< takes awaiting their commit
  };

  Slot* find(std::uint64_t voucher_id) const;
  /// The decision, under the slot's mutex: an answer, or nullopt when the unit is now reserved
  /// for `order` (its write must follow). `left` receives the stock left after it.
  static std::optional<sale::TakeResult> reserve(Slot& slot, const Order& order,
                                                 std::int64_t& left);
  /// The write failed (keep_buyer false) or found the user already stored (true).
  static void release(Slot& slot, const Order& order, bool keep_buyer);
  static void committed(Slot& slot);

  sale::SaleStore& store_;
  mutable std::shared_mutex slots_mutex_;  ///< guards the map; each slot has its own mutex
  std::unordered_map<std::uint64_t, std::unique_ptr<Slot>> slots_;
};

}  // namespace seckill::coordinator::embedded
