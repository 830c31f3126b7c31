#include "metrics/voucher_outcomes.hpp"

#include <mutex>

namespace seckill::metrics {

void VoucherOutcomes::record(std::uint64_t voucher_id, std::optional<ErrorCode> refusal) {
  if (refusal == ErrorCode::not_found) return;
  const std::size_t s = slot(refusal);
  {
    std::shared_lock lock(mutex_);
    auto it = vouchers_.find(voucher_id);
    if (it != vouchers_.end()) {
      (*it->second)[s].fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  std::unique_lock lock(mutex_);
  auto& cells = vouchers_[voucher_id];
  if (!cells) {
    if (vouchers_.size() > kMaxVouchers) {
      vouchers_.erase(voucher_id);
      return;
    }
    cells = std::make_unique<Cells>();
    for (auto& c : *cells)
      c.store(0, std::memory_order_relaxed);
  }
  (*cells)[s].fetch_add(1, std::memory_order_relaxed);
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
  return read(*it->second);
}

std::vector<std::pair<std::uint64_t, VoucherOutcomes::Counts>> VoucherOutcomes::all() const {
  std::shared_lock lock(mutex_);
  std::vector<std::pair<std::uint64_t, Counts>> out;
  out.reserve(vouchers_.size());
  for (const auto& [id, cells] : vouchers_)
    out.emplace_back(id, read(*cells));
  return out;
}

}  // namespace seckill::metrics
