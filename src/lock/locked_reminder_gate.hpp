#pragma once
// The classic lock-based reminder design (`serve --reminder-strategy lock`, issue #6): a
// distributed lock per ticket, a cached per-user check in this process, then the main record and
// the user's row written in the store under the lock, with the lock's fencing token
// (fenced_reminder_ledger.hpp). The same rules as remind.lua: one user once per user window, one
// main record per record window counted from its first_at.

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "lock/distributed_lock.hpp"
#include "lock/fenced_reminder_ledger.hpp"
#include "remind/reminder_gate.hpp"

namespace seckill::lock {

/// The rule itself, pure: refused while the user's window runs, else joins the newest record
/// while its window runs, else opens `new_id`; the reminder's time is `state.now`.
remind::RemindDecision decide_reminder(const TicketState& state, std::uint64_t new_id,
                                       const remind::ReminderWindows& windows);

/// Thread-safe. `lock` and `ledger` must outlive the gate.
class LockedReminderGate final : public remind::ReminderGate {
 public:
  LockedReminderGate(DistributedLock& lock, FencedReminderLedger& ledger,
                     remind::ReminderWindows windows, AcquireOptions options);

  /// Throws InfraError (503) when the ticket's lock is not acquired within the wait, or when the
  /// store refused the write as stale (the lease was lost meanwhile; nothing was written).
  boost::asio::awaitable<remind::RemindDecision> remind(std::string ticket, std::uint64_t user_id,
                                                        std::uint64_t new_id) override;

 private:
  /// A refusal this process already gave: (ticket, user) -> until when (the store's clock).
  struct Refusal {
    SysTime until;
    std::chrono::steady_clock::time_point local_until;
  };
  std::optional<remind::RemindDecision> cached_refusal(const std::string& key);
  void remember(const std::string& key, const remind::RemindDecision& d);

  DistributedLock& lock_;
  FencedReminderLedger& ledger_;
  remind::ReminderWindows windows_;
  AcquireOptions options_;
  std::mutex mutex_;
  std::unordered_map<std::string, Refusal> refusals_;
};

}  // namespace seckill::lock
