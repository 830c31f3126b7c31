#pragma once
// What happened to the order attempts on each voucher, as this instance saw them: orders taken
// and refusals by reason, in total and per second over the last minutes. Feeds /metrics and the
// dashboard's charts (a page opened after the rush draws it from the per-second history).

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
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
/// The first kMaxHistoryVouchers of them also keep per-second counts for kHistorySeconds (a
/// ring of one bucket per second, about 45 KB a voucher); the first attempt of each second
/// clears its bucket under the voucher's mutex, the others add to it like the totals.
class VoucherOutcomes {
 public:
  static constexpr std::size_t kMaxVouchers = 10'000;
  static constexpr std::size_t kMaxHistoryVouchers = 256;
  static constexpr std::int64_t kHistorySeconds = 600;
  /// Slot 0: taken; slot 1 + ErrorCode: refused with that code.
  static constexpr std::size_t kSlots = 1 + static_cast<std::size_t>(ErrorCode::internal) + 1;
  using Counts = std::array<std::uint64_t, kSlots>;

  /// One second of the history: the attempts that began in the Unix second `unix_s`.
  struct Second {
    std::int64_t unix_s;
    Counts counts;
  };

  /// `refusal` empty: an order was taken. `now_s`: the Unix second it happened in.
  void record(std::uint64_t voucher_id, std::optional<ErrorCode> refusal, std::int64_t now_s);
  /// As above, now.
  void record(std::uint64_t voucher_id, std::optional<ErrorCode> refusal);

  /// The seconds with any attempt among the last kHistorySeconds up to `now_s` (included),
  /// oldest first; empty for a voucher without history.
  std::vector<Second> history(std::uint64_t voucher_id, std::int64_t now_s) const;

  /// The counts of one voucher (zeros if none recorded).
  Counts counts(std::uint64_t voucher_id) const;
  /// Every voucher recorded so far, with its counts.
  std::vector<std::pair<std::uint64_t, Counts>> all() const;

  static std::size_t slot(std::optional<ErrorCode> refusal) {
    return refusal ? 1 + static_cast<std::size_t>(*refusal) : 0;
  }

 private:
  using Cells = std::array<std::atomic<std::uint64_t>, kSlots>;
  struct Bucket {
    std::atomic<std::int64_t> unix_s{-1};  // the second counted, -1: none yet
    std::array<std::atomic<std::uint32_t>, kSlots> counts{};
  };
  struct History {
    std::mutex clearing;
    std::array<Bucket, kHistorySeconds> buckets;
  };
  struct Entry {
    Cells totals{};
    std::unique_ptr<History> history;  // null beyond kMaxHistoryVouchers
  };
  static Counts read(const Cells& cells);
  static void count(History& history, std::size_t slot, std::int64_t now_s);

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Entry>> vouchers_;
  std::size_t histories_ = 0;
};

}  // namespace seckill::metrics
