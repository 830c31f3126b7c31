#include "sale/voucher_cache.hpp"

#include <mutex>

namespace seckill::sale {

std::shared_ptr<CachedVoucher> VoucherCache::find(std::uint64_t id) const {
  std::shared_lock lock(mutex_);
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : it->second;
}

std::shared_ptr<CachedVoucher> VoucherCache::insert(const Voucher& v) {
  std::unique_lock lock(mutex_);
  auto [it, inserted] = entries_.try_emplace(v.id, nullptr);
  if (inserted) it->second = std::make_shared<CachedVoucher>(v);
  return it->second;
}

void VoucherCache::mark_sold_out(std::uint64_t id) {
  if (auto entry = find(id)) entry->sold_out.store(true, std::memory_order_relaxed);
}

}  // namespace seckill::sale
