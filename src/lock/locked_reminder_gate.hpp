#pragma once
// The classic lock-based reminder design (`serve --reminder-strategy lock`, issue #6): a cached
// per-user check (user_window_cache.hpp: Redis in the distributed mode), then a distributed lock
// per ticket, then the main record and the user's row written in the store under the lock, with
// the lock's fencing token (fenced_reminder_ledger.hpp). The same rules as remind.lua: one user
// once per user window, one main record per record window counted from its first_at.

#include <chrono>
#include <optional>

#include "lock/distributed_lock.hpp"
#include "lock/fenced_reminder_ledger.hpp"
#include "lock/user_window_cache.hpp"
#include "remind/reminder_gate.hpp"

namespace seckill::lock {

/// The rule itself, pure: refused while the user's window runs, else joins the newest record
/// while it collects reminders (core/reminder.hpp: its window runs, not resolved), else opens
/// `new_id`; the reminder's time is `state.now`.
remind::RemindDecision decide_reminder(const TicketState& state, std::uint64_t new_id,
                                       const remind::ReminderWindows& windows);

/// When the user-window cache should forget this decision: the end of the user's window counted
/// from the decision's time (`d.at`, the store's clock), less a margin for the skew between that
/// clock and the cache's. nullopt for a decision the cache should not hold.
std::optional<SysTime> cached_until(const remind::RemindDecision& d,
                                    const remind::ReminderWindows& windows);

/// Thread-safe. `lock`, `ledger` and `cache` must outlive the gate.
class LockedReminderGate final : public remind::ReminderGate {
 public:
  LockedReminderGate(DistributedLock& lock, FencedReminderLedger& ledger, UserWindowCache& cache,
                     remind::ReminderWindows windows, AcquireOptions options);

  /// Throws InfraError (503) when the ticket's lock is not acquired within the wait, or when the
  /// store refused the write as stale twice (the lease was lost meanwhile; nothing was written).
  /// After a first refusal the lock server's fencing counter is raised to the store's largest
  /// token (LockService::raise_fence), so a counter the lock server lost does not refuse every
  /// holder until it climbs back.
  boost::asio::awaitable<remind::RemindDecision> remind(std::string ticket, std::uint64_t user_id,
                                                        std::uint64_t new_id) override;
  boost::asio::awaitable<void> close(std::string ticket, std::uint64_t record_id) override;

 private:
  /// Under the ticket's lock: the ledger's decision, or nullopt when the store refused the
  /// lease's fencing token. Throws InfraError when the lock is not free within the wait.
  boost::asio::awaitable<std::optional<remind::RemindDecision>> decide_locked(std::string resource,
                                                                              std::string ticket,
                                                                              std::uint64_t user_id,
                                                                              std::uint64_t new_id);
  boost::asio::awaitable<void> remember(std::string ticket, std::uint64_t user_id,
                                        remind::RemindDecision d);

  DistributedLock& lock_;
  FencedReminderLedger& ledger_;
  UserWindowCache& cache_;
  remind::ReminderWindows windows_;
  AcquireOptions options_;
};

}  // namespace seckill::lock
