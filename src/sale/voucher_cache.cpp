#include "sale/voucher_cache.hpp"

#include <mutex>

namespace seckill::sale {

namespace {

void lower_to(std::atomic<SysTime::rep>& value, SysTime::rep bound) {
  auto seen = value.load(std::memory_order_relaxed);
  while (bound < seen && !value.compare_exchange_weak(seen, bound, std::memory_order_relaxed)) {
  }
}

}  // namespace

Voucher CachedVoucher::current() const {
  Voucher v = voucher;
  v.begin_at = begin_at();
  v.end_at = end_at();
  return v;
}

void CachedVoucher::end(SysTime at) {
  auto ticks = at.time_since_epoch().count();
  lower_to(begun_at, ticks);
  lower_to(ended_at, ticks);
}

std::shared_ptr<CachedVoucher> VoucherCache::find(std::uint64_t id) const {
  std::shared_lock lock(mutex_);
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : it->second;
}

std::shared_ptr<CachedVoucher> VoucherCache::insert(const Voucher& v) {
  std::unique_lock lock(mutex_);
  auto [it, inserted] = entries_.try_emplace(v.id, nullptr);
  if (inserted) {
    it->second = std::make_shared<CachedVoucher>(v);
    if (auto ended = ended_.find(v.id); ended != ended_.end()) it->second->end(ended->second);
  }
  return it->second;
}

void VoucherCache::mark_sold_out(std::uint64_t id) {
  if (auto entry = find(id)) entry->sold_out.store(true, std::memory_order_relaxed);
}

void VoucherCache::mark_ended(std::uint64_t id, SysTime at) {
  std::unique_lock lock(mutex_);
  auto [ended, inserted] = ended_.try_emplace(id, at);
  if (!inserted && at < ended->second) ended->second = at;
  if (auto it = entries_.find(id); it != entries_.end()) it->second->end(at);
}

}  // namespace seckill::sale
