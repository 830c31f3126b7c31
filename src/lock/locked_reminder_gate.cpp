#include "lock/locked_reminder_gate.hpp"

#include <exception>

#include <fmt/format.h>

#include "core/infra_error.hpp"

namespace seckill::lock {

namespace asio = boost::asio;
using std::chrono::milliseconds;

remind::RemindDecision decide_reminder(const TicketState& state, std::uint64_t new_id,
                                       const remind::ReminderWindows& windows) {
  remind::RemindDecision d;
  d.at = state.now;
  if (state.user_last && state.now < *state.user_last + windows.user) {
    d.outcome = remind::RemindOutcome::already_reminded;
    d.retry_after = std::chrono::ceil<milliseconds>(*state.user_last + windows.user - state.now);
    d.reminder_id = state.user_record_id;
    return d;
  }
  if (state.newest_id &&
      collects_reminders(state.newest_status, state.newest_first_at, state.now, windows.record)) {
    d.outcome = remind::RemindOutcome::joined;
    d.reminder_id = *state.newest_id;
  } else {
    d.outcome = remind::RemindOutcome::opened;
    d.reminder_id = new_id;
  }
  return d;
}

std::optional<SysTime> cached_until(const remind::RemindDecision& d,
                                    const remind::ReminderWindows& windows) {
  // Counted from the decision, not from the cache's write: the lock release and the round trips
  // since the store read its clock are already part of the window. The margin covers the skew
  // between the store's clock and the cache's: the cache may forget early (the store then
  // decides), never refuse late.
  constexpr milliseconds kSkewMargin{50};
  switch (d.outcome) {
    case remind::RemindOutcome::already_reminded:
      // The store read the clock at `d.at` and found `retry_after` left.
      if (d.retry_after <= milliseconds(0)) return std::nullopt;
      return d.at + d.retry_after - kSkewMargin;
    case remind::RemindOutcome::opened:
    case remind::RemindOutcome::joined:
      return d.at + windows.user - kSkewMargin;
  }
  return std::nullopt;
}

LockedReminderGate::LockedReminderGate(DistributedLock& lock, FencedReminderLedger& ledger,
                                       UserWindowCache& cache, remind::ReminderWindows windows,
                                       AcquireOptions options)
    : lock_(lock),
      ledger_(ledger),
      cache_(cache),
      windows_(windows),
      options_(std::move(options)) {}

asio::awaitable<void> LockedReminderGate::remember(std::string ticket, std::uint64_t user_id,
                                                   remind::RemindDecision d) {
  auto until = cached_until(d, windows_);
  if (!until) co_return;
  try {
    co_await cache_.remember(std::move(ticket), user_id, *until, d.reminder_id);
  } catch (const InfraError&) {
    // A hint lost: the next reminder of this user takes the locked path.
  }
}

asio::awaitable<void> LockedReminderGate::close(std::string /*ticket*/,
                                                std::uint64_t /*record_id*/) {
  // Nothing held here: every decision reads the record's status from the store, under the lock.
  co_return;
}

asio::awaitable<std::optional<remind::RemindDecision>> LockedReminderGate::decide_locked(
    std::string resource, std::string ticket, std::uint64_t user_id, std::uint64_t new_id) {
  auto lease = co_await lock_.acquire(resource, options_);
  if (!lease) {
    throw InfraError(fmt::format("the lock of ticket {} was not free within {} ms", ticket,
                                 options_.wait.count()));
  }
  std::exception_ptr failure;
  std::optional<remind::RemindDecision> decision;
  try {
    auto windows = windows_;
    DecideReminder decide = [new_id, windows](const TicketState& s) {
      return decide_reminder(s, new_id, windows);
    };
    decision = co_await ledger_.remind(resource, (*lease)->fencing_token(), ticket, user_id,
                                       std::move(decide));
  } catch (...) {
    failure = std::current_exception();  // released below: no co_await inside a handler
  }
  try {
    co_await lock_.release(**lease);
  } catch (const InfraError&) {
    // The lease expires by itself; what was written stands.
  }
  if (failure) std::rethrow_exception(failure);
  co_return decision;
}

asio::awaitable<remind::RemindDecision> LockedReminderGate::remind(std::string ticket,
                                                                   std::uint64_t user_id,
                                                                   std::uint64_t new_id) {
  if (auto cached = co_await cache_.remaining(ticket, user_id)) {
    remind::RemindDecision refused;
    refused.outcome = remind::RemindOutcome::already_reminded;
    refused.retry_after = cached->left;
    refused.reminder_id = cached->reminder_id;
    co_return refused;
  }

  auto resource = "remind:ticket:" + ticket;
  auto decision = co_await decide_locked(resource, ticket, user_id, new_id);
  if (!decision) {
    // Refused by its fencing token: a newer holder wrote meanwhile, or the lock server lost the
    // resource's counter (then every token it hands out is below the store's until the counter
    // climbs back). Seed the counter from the store's largest token and try once more; raising
    // it is harmless in the first case.
    auto stored = co_await ledger_.stored_fence(resource);
    co_await lock_.service().raise_fence(resource, stored);
    decision = co_await decide_locked(resource, ticket, user_id, new_id);
  }
  if (!decision) {
    throw InfraError(
        fmt::format("the lock of ticket {} was lost before the write (refused by "
                    "its fencing token); nothing was written",
                    ticket));
  }
  co_await remember(std::move(ticket), user_id, *decision);
  co_return *decision;
}

}  // namespace seckill::lock
