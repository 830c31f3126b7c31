#pragma once
// Each instance's copy of voucher metadata (title, stock total, window), so the purchase path
// reads no database, and the instance's "sold out" flag per voucher, so that once a voucher is
// sold out the answer costs no round trip to the coordinator. Stock never comes back (orders
// are not cancelled), so a voucher seen sold out stays sold out. The one change metadata sees
// is an admin ending a sale early (`POST /vouchers/{id}/end`): the window only ever shrinks.

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include "core/voucher.hpp"

namespace seckill::sale {

struct CachedVoucher {
  explicit CachedVoucher(Voucher v)
      : voucher(std::move(v)),
        ended_at(voucher.end_at.time_since_epoch().count()),
        begun_at(voucher.begin_at.time_since_epoch().count()) {}
  /// As first read; `current()` applies an early end.
  const Voucher voucher;
  /// end_at and begin_at as they stand (SysTime ticks): lowered when the sale is ended early.
  std::atomic<SysTime::rep> ended_at;
  std::atomic<SysTime::rep> begun_at;
  std::atomic<bool> sold_out{false};
  /// Once sold out: the final buyers (user -> the order they hold), so the answer (sold_out or
  /// already_ordered with its order id) needs no round trip. Null until loaded.
  std::atomic<std::shared_ptr<const std::unordered_map<std::uint64_t, std::uint64_t>>> buyers;
  std::atomic<bool> buyers_loading{false};

  /// The voucher with its window as it stands.
  Voucher current() const;
  SysTime begin_at() const {
    return SysTime(SysTime::duration(begun_at.load(std::memory_order_relaxed)));
  }
  SysTime end_at() const {
    return SysTime(SysTime::duration(ended_at.load(std::memory_order_relaxed)));
  }
  /// Ends the sale at `at` if it would end later (and begins it no later than `at`).
  void end(SysTime at);
};

/// Thread-safe: many I/O threads read, inserts are rare.
class VoucherCache {
 public:
  std::shared_ptr<CachedVoucher> find(std::uint64_t id) const;
  /// Inserts, or returns the entry already there (first one wins; metadata never changes but
  /// for an early end, which an entry inserted later still learns: see mark_ended).
  std::shared_ptr<CachedVoucher> insert(const Voucher& v);
  /// Marks a voucher sold out if it is cached (e.g. on a broadcast from another instance).
  void mark_sold_out(std::uint64_t id);
  /// A voucher's sale ended at `at` (here, or on a broadcast from another instance). Kept for
  /// a voucher not cached yet too: a copy read from the store before the end was written, and
  /// inserted after this, must not sell on.
  void mark_ended(std::uint64_t id, SysTime at);

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::uint64_t, std::shared_ptr<CachedVoucher>> entries_;
  std::unordered_map<std::uint64_t, SysTime> ended_;  ///< early ends heard, by voucher
};

}  // namespace seckill::sale
