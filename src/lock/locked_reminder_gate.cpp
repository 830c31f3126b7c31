#include "lock/locked_reminder_gate.hpp"

#include <exception>

#include <fmt/format.h>

#include "core/infra_error.hpp"

namespace seckill::lock {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

// The cache only saves round trips for users who retry inside their window; it is bounded
// rather than evicted entry by entry.
constexpr std::size_t kMaxCachedRefusals = 100'000;

}  // namespace

remind::RemindDecision decide_reminder(const TicketState& state, std::uint64_t new_id,
                                       const remind::ReminderWindows& windows) {
  remind::RemindDecision d;
  d.at = state.now;
  if (state.user_last && state.now < *state.user_last + windows.user) {
    d.outcome = remind::RemindOutcome::already_reminded;
    d.retry_after = std::chrono::ceil<milliseconds>(*state.user_last + windows.user - state.now);
    return d;
  }
  if (state.newest_id && state.now < state.newest_first_at + windows.record) {
    d.outcome = remind::RemindOutcome::joined;
    d.reminder_id = *state.newest_id;
  } else {
    d.outcome = remind::RemindOutcome::opened;
    d.reminder_id = new_id;
  }
  return d;
}

LockedReminderGate::LockedReminderGate(DistributedLock& lock, FencedReminderLedger& ledger,
                                       remind::ReminderWindows windows, AcquireOptions options)
    : lock_(lock), ledger_(ledger), windows_(windows), options_(std::move(options)) {}

std::optional<remind::RemindDecision> LockedReminderGate::cached_refusal(const std::string& key) {
  std::lock_guard guard(mutex_);
  auto it = refusals_.find(key);
  if (it == refusals_.end()) return std::nullopt;
  auto now = std::chrono::steady_clock::now();
  if (now >= it->second.local_until) {
    refusals_.erase(it);
    return std::nullopt;
  }
  remind::RemindDecision d;
  d.outcome = remind::RemindOutcome::already_reminded;
  d.retry_after = std::chrono::ceil<milliseconds>(it->second.local_until - now);
  return d;
}

void LockedReminderGate::remember(const std::string& key, const remind::RemindDecision& d) {
  // Counted on this process's steady clock from now, less a margin for the time since the store
  // read its clock: the cache may forget early (the store then decides), never refuse late.
  milliseconds left =
      d.outcome == remind::RemindOutcome::already_reminded ? d.retry_after : windows_.user;
  left -= milliseconds(50);
  if (left <= milliseconds(0)) return;
  std::lock_guard guard(mutex_);
  if (refusals_.size() >= kMaxCachedRefusals) refusals_.clear();
  refusals_[key] = Refusal{d.at + left, std::chrono::steady_clock::now() + left};
}

asio::awaitable<remind::RemindDecision> LockedReminderGate::remind(std::string ticket,
                                                                   std::uint64_t user_id,
                                                                   std::uint64_t new_id) {
  auto key = fmt::format("{}\n{}", ticket, user_id);
  if (auto refused = cached_refusal(key)) co_return *refused;

  auto resource = "remind:ticket:" + ticket;
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
  if (!decision) {
    throw InfraError(
        fmt::format("the lock of ticket {} was lost before the write (refused by "
                    "its fencing token); nothing was written",
                    ticket));
  }
  remember(key, *decision);
  co_return *decision;
}

}  // namespace seckill::lock
