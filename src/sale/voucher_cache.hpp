#pragma once
// Each instance's copy of voucher metadata (title, stock total, window), so the purchase path
// reads no database, and the instance's "sold out" flag per voucher, so that once a voucher is
// sold out the answer costs no round trip to the coordinator. Stock never comes back (orders
// are not cancelled), so a voucher seen sold out stays sold out.

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include "core/voucher.hpp"

namespace seckill::sale {

struct CachedVoucher {
  explicit CachedVoucher(Voucher v) : voucher(std::move(v)) {}
  const Voucher voucher;
  std::atomic<bool> sold_out{false};
  /// Once sold out: the final buyers (user -> the order they hold), so the answer (sold_out or
  /// already_ordered with its order id) needs no round trip. Null until loaded.
  std::atomic<std::shared_ptr<const std::unordered_map<std::uint64_t, std::uint64_t>>> buyers;
  std::atomic<bool> buyers_loading{false};
};

/// Thread-safe: many I/O threads read, inserts are rare.
class VoucherCache {
 public:
  std::shared_ptr<CachedVoucher> find(std::uint64_t id) const;
  /// Inserts, or returns the entry already there (first one wins; metadata never changes).
  std::shared_ptr<CachedVoucher> insert(const Voucher& v);
  /// Marks a voucher sold out if it is cached (e.g. on a broadcast from another instance).
  void mark_sold_out(std::uint64_t id);

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::uint64_t, std::shared_ptr<CachedVoucher>> entries_;
};

}  // namespace seckill::sale
