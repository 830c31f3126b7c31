#include "coordinator/embedded/embedded_reminder_gate.hpp"

#include <algorithm>
#include <exception>
#include <unordered_set>
#include <vector>

namespace seckill::coordinator::embedded {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

constexpr std::uint64_t kSweepEvery = 4096;

/// What is left of a window, in whole milliseconds rounded up (as Redis's PTTL, at least 1).
milliseconds left_of(SysTime until, SysTime now) {
  auto left = std::chrono::ceil<milliseconds>(until - now);
  return std::max(left, milliseconds(1));
}

}  // namespace

EmbeddedReminderGate::EmbeddedReminderGate(remind::ReminderRecords& records,
                                           remind::ReminderWindows windows, Clock clock)
    : records_(records), windows_(windows), clock_(std::move(clock)) {}

EmbeddedReminderGate::Stripe& EmbeddedReminderGate::stripe(const std::string& ticket) {
  return stripes_[std::hash<std::string>{}(ticket) % kStripes];
}

void EmbeddedReminderGate::restore(std::span<const ReminderRecord> records) {
  auto now = clock_();
  std::unordered_set<std::uint64_t> closed;  // newest records that collect no more reminders
  for (auto& s : stripes_) {
    std::lock_guard lock(s.mutex);
    s.tickets.clear();
    s.decisions = 0;
  }
  for (const auto& r : records) {
    auto& s = stripe(r.ticket);
    std::lock_guard lock(s.mutex);
    auto& state = s.tickets[r.ticket];
    if (!state.open || state.open->first_at < r.first_at ||
        (state.open->first_at == r.first_at && state.open->id < r.id)) {
      // The newest record, whatever its state; dropped below unless it collects reminders.
      state.open = OpenRecord{r.id, r.first_at, 1};
      if (!collects_reminders(r.status, r.first_at, now, windows_.record)) {
        closed.insert(r.id);
      }
    }
    for (const auto& u : r.users) {
      auto until = u.at + windows_.user;
      if (until <= now) continue;
      auto [it, inserted] = state.user_until.try_emplace(u.user_id, UserWindow{until, r.id});
      if (!inserted && it->second.until < until) it->second = UserWindow{until, r.id};
    }
  }
  for (auto& s : stripes_) {
    std::lock_guard lock(s.mutex);
    for (auto& [ticket, state] : s.tickets) {
      if (state.open && closed.contains(state.open->id)) state.open.reset();
    }
    sweep(s, now);
  }
}

asio::awaitable<void> EmbeddedReminderGate::close(std::string ticket, std::uint64_t record_id) {
  {
    auto& s = stripe(ticket);
    std::lock_guard lock(s.mutex);
    auto it = s.tickets.find(ticket);
    if (it != s.tickets.end() && it->second.open && it->second.open->id == record_id) {
      it->second.open.reset();
    }
  }
  co_return;
}

void EmbeddedReminderGate::sweep(Stripe& s, SysTime now) const {
  for (auto it = s.tickets.begin(); it != s.tickets.end();) {
    auto& state = it->second;
    std::erase_if(state.user_until, [now](const auto& entry) { return entry.second.until <= now; });
    if (state.open && now >= state.open->first_at + windows_.record) state.open.reset();
    if (!state.open && state.user_until.empty()) {
      it = s.tickets.erase(it);
    } else {
      ++it;
    }
  }
}

asio::awaitable<remind::RemindDecision> EmbeddedReminderGate::remind(std::string ticket,
                                                                     std::uint64_t user_id,
                                                                     std::uint64_t new_id) {
  remind::RemindDecision decision;
  std::optional<OpenRecord> previous_open;
  SysTime until;
  {
    auto& s = stripe(ticket);
    std::lock_guard lock(s.mutex);
    auto now = clock_();
    decision.at = now;
    if (++s.decisions % kSweepEvery == 0) sweep(s, now);
    auto& state = s.tickets[ticket];
    auto user = state.user_until.find(user_id);
    if (user != state.user_until.end() && now < user->second.until) {
      decision.outcome = remind::RemindOutcome::already_reminded;
      decision.retry_after = left_of(user->second.until, now);
      decision.reminder_id = user->second.record_id;
      co_return decision;
    }
    previous_open = state.open;
    if (state.open && now < state.open->first_at + windows_.record) {
      decision.outcome = remind::RemindOutcome::joined;
      ++state.open->reminders;
    } else {
      decision.outcome = remind::RemindOutcome::opened;
      state.open = OpenRecord{new_id, now, 1};
    }
    decision.reminder_id = state.open->id;
    until = now + windows_.user;
    state.user_until[user_id] = UserWindow{until, decision.reminder_id};
  }

  bool opened = decision.outcome == remind::RemindOutcome::opened;
  std::exception_ptr failure;
  try {
    std::vector<ReminderEvent> events;
    events.push_back(ReminderEvent{.reminder_id = decision.reminder_id,
                                   .ticket = ticket,
                                   .user_id = user_id,
                                   .at = decision.at,
                                   .new_record = opened});
    co_await records_.write(std::move(events));
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    undo(ticket, user_id, until, decision.reminder_id, opened, previous_open);
    std::rethrow_exception(failure);
  }
  co_return decision;
}

void EmbeddedReminderGate::undo(const std::string& ticket, std::uint64_t user_id, SysTime until,
                                std::uint64_t record_id, bool opened,
                                std::optional<OpenRecord> previous_open) {
  auto& s = stripe(ticket);
  std::lock_guard lock(s.mutex);
  auto it = s.tickets.find(ticket);
  if (it == s.tickets.end()) return;
  auto& state = it->second;
  // The user's window was over (or never begun) when this reminder was accepted.
  auto user = state.user_until.find(user_id);
  if (user != state.user_until.end() && user->second.until == until) {
    state.user_until.erase(user);
  }
  if (state.open && state.open->id == record_id) {
    if (opened && state.open->reminders == 1) {
      // Nobody joined it: as if it had never been opened.
      state.open = previous_open;
    } else if (state.open->reminders > 0) {
      // Others joined it; their events create the record in the store, so it stays.
      --state.open->reminders;
    }
  }
}

}  // namespace seckill::coordinator::embedded
