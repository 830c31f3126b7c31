#include "metrics/voucher_outcomes.hpp"

#include <algorithm>
#include <chrono>

namespace seckill::metrics {

void VoucherOutcomes::count(History& history, std::size_t slot, std::int64_t now_s) {
  Bucket& bucket = history.buckets[static_cast<std::size_t>(now_s % kHistorySeconds)];
  std::int64_t counted = bucket.unix_s.load(std::memory_order_acquire);
  if (counted != now_s) {
    // An attempt stamped with an older second than the bucket's (its thread was descheduled
    // across a second boundary) is left out of the history: its bucket now counts a newer one.
    if (counted > now_s) return;
    std::lock_guard lock(history.clearing);
    if (bucket.unix_s.load(std::memory_order_relaxed) < now_s) {
      for (auto& c : bucket.counts)
        c.store(0, std::memory_order_relaxed);
      bucket.unix_s.store(now_s, std::memory_order_release);
    } else if (bucket.unix_s.load(std::memory_order_relaxed) > now_s) {
      return;
    }
  }
  bucket.counts[slot].fetch_add(1, std::memory_order_relaxed);
}

void VoucherOutcomes::record(std::uint64_t voucher_id, std::optional<ErrorCode> refusal) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  record(voucher_id, refusal, std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

void VoucherOutcomes::record(std::uint64_t voucher_id, std::optional<ErrorCode> refusal,
                             std::int64_t now_s) {
  if (refusal == ErrorCode::not_found) return;
  const std::size_t s = slot(refusal);
  {
    std::shared_lock lock(mutex_);
    auto it = vouchers_.find(voucher_id);
    if (it != vouchers_.end()) {
      it->second->totals[s].fetch_add(1, std::memory_order_relaxed);
      if (it->second->history) count(*it->second->history, s, now_s);
      return;
    }
  }
  std::unique_lock lock(mutex_);
  auto& entry = vouchers_[voucher_id];
  if (!entry) {
    if (vouchers_.size() > kMaxVouchers) {
      vouchers_.erase(voucher_id);
      return;
    }
    entry = std::make_unique<Entry>();
    for (auto& c : entry->totals)
      c.store(0, std::memory_order_relaxed);
    if (histories_ < kMaxHistoryVouchers) {
      entry->history = std::make_unique<History>();
      ++histories_;
    }
  }
  entry->totals[s].fetch_add(1, std::memory_order_relaxed);
  if (entry->history) count(*entry->history, s, now_s);
}

VoucherOutcomes::Counts VoucherOutcomes::read(const Cells& cells) {
  Counts out{};
  for (std::size_t i = 0; i < kSlots; ++i)
    out[i] = cells[i].load(std::memory_order_relaxed);
  return out;
}

VoucherOutcomes::Counts VoucherOutcomes::counts(std::uint64_t voucher_id) const {
  std::shared_lock lock(mutex_);
  auto it = vouchers_.find(voucher_id);
  if (it == vouchers_.end()) return Counts{};
  return read(it->second->totals);
}

std::vector<std::pair<std::uint64_t, VoucherOutcomes::Counts>> VoucherOutcomes::all() const {
  std::shared_lock lock(mutex_);
  std::vector<std::pair<std::uint64_t, Counts>> out;
  out.reserve(vouchers_.size());
  for (const auto& [id, entry] : vouchers_)
    out.emplace_back(id, read(entry->totals));
  return out;
}

std::vector<VoucherOutcomes::Second> VoucherOutcomes::history(std::uint64_t voucher_id,
                                                              std::int64_t now_s) const {
  std::vector<Second> out;
  std::shared_lock lock(mutex_);
  auto it = vouchers_.find(voucher_id);
  if (it == vouchers_.end() || !it->second->history) return out;
  for (const Bucket& bucket : it->second->history->buckets) {
    const std::int64_t second = bucket.unix_s.load(std::memory_order_acquire);
    if (second < 0 || second > now_s || second <= now_s - kHistorySeconds) continue;
    Second one{second, {}};
    for (std::size_t i = 0; i < kSlots; ++i)
      one.counts[i] = bucket.counts[i].load(std::memory_order_relaxed);
    // Cleared for a newer second while being read: that second is not in the window asked.
    if (bucket.unix_s.load(std::memory_order_acquire) != second) continue;
    out.push_back(one);
  }
  std::sort(out.begin(), out.end(),
            [](const Second& a, const Second& b) { return a.unix_s < b.unix_s; });
  return out;
}

}  // namespace seckill::metrics
