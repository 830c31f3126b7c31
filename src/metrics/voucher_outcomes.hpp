#pragma once
// What happened to the order attempts on each voucher, as this instance saw them: orders taken
// and refusals by reason. Feeds /metrics and the dashboard's live refusal chart.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/error_code.hpp"

namespace seckill::metrics {

/// Thread-safe. record() takes a shared lock and one relaxed atomic add once the voucher is
/// known; the first attempt on a voucher inserts it under an exclusive lock. Only vouchers that
/// exist are recorded (a not_found attempt has no voucher), and at most kMaxVouchers of them.
class VoucherOutcomes {
 public:
  static constexpr std::size_t kMaxVouchers = 10'000;
  /// Slot 0: taken; slot 1 + ErrorCode: refused with that code.
  static constexpr std::size_t kSlots = 1 + static_cast<std::size_t>(ErrorCode::internal) + 1;
  using Counts = std::array<std::uint64_t, kSlots>;

  /// `refusal` empty: an order was taken.
  void record(std::uint64_t voucher_id, std::optional<ErrorCode> refusal);

  /// The counts of one voucher (zeros if none recorded).
  Counts counts(std::uint64_t voucher_id) const;
  /// Every voucher recorded so far, with its counts.
  std::vector<std::pair<std::uint64_t, Counts>> all() const;

  static std::size_t slot(std::optional<ErrorCode> refusal) {
    return refusal ? 1 + static_cast<std::size_t>(*refusal) : 0;
  }

 private:
  using Cells = std::array<std::atomic<std::uint64_t>, kSlots>;
  static Counts read(const Cells& cells);

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Cells>> vouchers_;
};

}  // namespace seckill::metrics
