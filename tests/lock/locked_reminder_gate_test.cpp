// The rule the lock-based reminder strategy applies under its lock: the same as remind.lua.
#include "lock/locked_reminder_gate.hpp"

#include <gtest/gtest.h>

namespace seckill::lock {
namespace {

using namespace std::chrono_literals;

const remind::ReminderWindows kWindows{std::chrono::milliseconds(10min),
                                       std::chrono::milliseconds(2min)};
const SysTime kNow = SysTime(std::chrono::sys_days(std::chrono::year(2026) / 11 / 22));

TEST(DecideReminder, TheFirstReminderOfATicketOpensARecordWithTheOfferedId) {
  TicketState s;
  s.now = kNow;
  auto d = decide_reminder(s, 42, kWindows);
  EXPECT_EQ(d.outcome, remind::RemindOutcome::opened);
  EXPECT_EQ(d.reminder_id, 42u);
  EXPECT_EQ(d.at, kNow);
}

TEST(DecideReminder, InsideTheRecordWindowAReminderJoinsTheNewestRecord) {
  TicketState s;
  s.now = kNow;
  s.newest_id = 7;
  s.newest_first_at = kNow - 9min;
  auto d = decide_reminder(s, 42, kWindows);
  EXPECT_EQ(d.outcome, remind::RemindOutcome::joined);
  EXPECT_EQ(d.reminder_id, 7u);
  s.newest_first_at = kNow - 10min;  // the window is half open: [first_at, first_at + window)
  EXPECT_EQ(decide_reminder(s, 42, kWindows).outcome, remind::RemindOutcome::opened);
}

// A record staff resolved collects no more reminders, even inside its window; an acked one does.
TEST(DecideReminder, AResolvedRecordIsNeverJoined) {
  TicketState s;
  s.now = kNow;
  s.newest_id = 7;
  s.newest_first_at = kNow - 1min;
  s.newest_status = ReminderStatus::acked;
  EXPECT_EQ(decide_reminder(s, 42, kWindows).outcome, remind::RemindOutcome::joined);
  s.newest_status = ReminderStatus::resolved;
  auto d = decide_reminder(s, 42, kWindows);
  EXPECT_EQ(d.outcome, remind::RemindOutcome::opened);
  EXPECT_EQ(d.reminder_id, 42u);
}

TEST(DecideReminder, InsideTheUserWindowTheUserIsRefusedWithWhatIsLeft) {
  TicketState s;
  s.now = kNow;
  s.newest_id = 7;
  s.newest_first_at = kNow - 1min;
  s.user_last = kNow - 90s;
  s.user_record_id = 5;
  auto d = decide_reminder(s, 42, kWindows);
  EXPECT_EQ(d.outcome, remind::RemindOutcome::already_reminded);
  EXPECT_EQ(d.retry_after, 30s);
  EXPECT_EQ(d.reminder_id, 5u) << "the record the user's reminder is in";
  s.user_last = kNow - 2min;
  EXPECT_EQ(decide_reminder(s, 42, kWindows).outcome, remind::RemindOutcome::joined);
}

// The cache's entry ends with the user's window counted from the decision's time (the store's
// clock), whenever the cache is written: a write 10 s after the decision does not add 10 s.
TEST(CachedUntil, CountsFromTheDecisionNotFromTheWrite) {
  remind::RemindDecision d;
  d.at = kNow - 10s;
  d.outcome = remind::RemindOutcome::opened;
  EXPECT_EQ(cached_until(d, kWindows), std::optional<SysTime>(kNow - 10s + 2min - 50ms));
  d.outcome = remind::RemindOutcome::already_reminded;
  d.retry_after = 30s;
  EXPECT_EQ(cached_until(d, kWindows), std::optional<SysTime>(kNow - 10s + 30s - 50ms));
  d.retry_after = 0s;
  EXPECT_EQ(cached_until(d, kWindows), std::nullopt);
}

}  // namespace
}  // namespace seckill::lock
