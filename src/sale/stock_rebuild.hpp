#pragma once
// State lost → rebuild, don't guess.
//
// The coordinator (Redis) leads the store: it holds every voucher's live stock and buyers, and the
// orders it decided flow to the store through the writers. If it loses a voucher's state (Redis
// restarted without persistence, a flush, an eviction), the store's `stock_left` is no guide: it
// lags by every order still on its way. Loading it would sell those units again, and let users
// who hold an order buy a second one.
//
// So the rule, and the only place it is decided:
//
//  - A take that finds the voucher absent (TakeOutcome::unknown_voucher) answers 503
//    `unavailable` (nothing was taken) and starts a rebuild. Until the voucher is restored, every
//    purchase of it answers the same, on every instance. Nothing ever loads a known voucher from
//    the store's `stock_left` (creation loads a new voucher, which has no orders).
//  - One instance rebuilds: it claims the voucher with a marker in the coordinator
//    (StockGate::claim_rebuild, SET NX with an expiry, so a claim whose holder died lapses).
//  - It waits for the writers to drain: the streams were lost with Redis, so what can still reach
//    the store is the batches writers held in memory when Redis went. It reads the voucher's
//    stored orders (one snapshot, SaleStore::store_view) until two reads `quiet` apart agree.
//  - It restores stock = stock_total − stored orders and buyers = the stored orders (user →
//    order id) (StockGate::restore_lost, only while it holds the claim and the voucher is still
//    absent, so live state is never overwritten). Then the sale resumes.
//
// The residual window, honestly: a writer that holds a batch across the loss and stores it more
// than `quiet` after its last progress (a store stalled that long) stores orders the rebuild did
// not count. The store's own guards still hold: unique (user_id, voucher_id) keeps one order per
// user, and `stock_left >= 0` refuses a unit sold twice (the refused order goes to the dead
// letters). No oversell and no user with two orders, whatever the timing; what the window can cost
// is an answered order that is not stored: only one that had not been written when Redis went.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_set>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/voucher.hpp"
#include "sale/sale_store.hpp"
#include "sale/stock_gate.hpp"

namespace seckill::sale {

struct RebuildOptions {
  /// Two reads of the stored orders this far apart must agree before the state is restored: how
  /// long a writer may sit on a batch it read before the loss (a few of its store round trips).
  std::chrono::milliseconds quiet{2000};
  /// The claim's lifetime. A rebuild that has not settled within half of it gives up; the next
  /// purchase starts another.
  std::chrono::milliseconds claim_ttl{30000};
};

/// Thread-safe. The gate and the store must outlive every rebuild started (they run detached on
/// the executor given, which the service stops before destroying them).
class StockRebuild {
 public:
  StockRebuild(StockGate& gate, SaleStore& store, RebuildOptions options = {});

  /// Starts rebuilding `voucher` on `executor`, unless this instance already is; returns at once.
  /// Failures are logged; the next purchase of the voucher asks again.
  void request(boost::asio::any_io_executor executor, Voucher voucher);

  /// Whether this instance is rebuilding the voucher now.
  bool running(std::uint64_t voucher_id) const;

  /// The rebuild itself, awaited to the end (request() runs it detached). Returns whether this
  /// call restored the voucher (false: another instance holds the claim, or it did not settle).
  /// Throws InfraError.
  boost::asio::awaitable<bool> rebuild(Voucher voucher);

 private:
  static boost::asio::awaitable<void> run_detached(StockRebuild* self, Voucher voucher);

  StockGate& gate_;
  SaleStore& store_;
  RebuildOptions options_;
  mutable std::mutex mutex_;
  std::unordered_set<std::uint64_t> running_;
};

}  // namespace seckill::sale
