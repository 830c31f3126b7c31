#include "core/reminder.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using seckill::ReminderAction;
using seckill::ReminderStatus;

TEST(ReminderStatus, RoundTripsItsNames) {
  for (auto s : {ReminderStatus::open, ReminderStatus::acked, ReminderStatus::resolved}) {
    EXPECT_EQ(seckill::parse_reminder_status(seckill::to_string(s)), s);
  }
  EXPECT_FALSE(seckill::parse_reminder_status("OPEN").has_value());
  EXPECT_FALSE(seckill::parse_reminder_status("").has_value());
  EXPECT_FALSE(seckill::parse_reminder_status("closed").has_value());
}

TEST(ReminderWorkflow, AckOnlyFromOpenResolveFromOpenOrAcked) {
  using seckill::after;
  EXPECT_EQ(after(ReminderStatus::open, ReminderAction::ack), ReminderStatus::acked);
  EXPECT_EQ(after(ReminderStatus::acked, ReminderAction::ack), std::nullopt);
  EXPECT_EQ(after(ReminderStatus::resolved, ReminderAction::ack), std::nullopt);
  EXPECT_EQ(after(ReminderStatus::open, ReminderAction::resolve), ReminderStatus::resolved);
  EXPECT_EQ(after(ReminderStatus::acked, ReminderAction::resolve), ReminderStatus::resolved);
  EXPECT_EQ(after(ReminderStatus::resolved, ReminderAction::resolve), std::nullopt);
}

TEST(ReminderWorkflow, OnlyOpenRecordsPastTheSlaAreOverdue) {
  seckill::SysTime first{std::chrono::hours(1000)};
  EXPECT_FALSE(seckill::is_overdue(ReminderStatus::open, first, first + 30min, 30min));
  EXPECT_TRUE(seckill::is_overdue(ReminderStatus::open, first, first + 30min + 1ms, 30min));
  EXPECT_FALSE(seckill::is_overdue(ReminderStatus::acked, first, first + 2h, 30min));
  EXPECT_FALSE(seckill::is_overdue(ReminderStatus::resolved, first, first + 2h, 30min));
}

TEST(ReminderRetry, RoundsUpAndIsNeverZero) {
  EXPECT_EQ(seckill::retry_after_seconds(0ms), 1);
  EXPECT_EQ(seckill::retry_after_seconds(-5ms), 1);
  EXPECT_EQ(seckill::retry_after_seconds(1ms), 1);
  EXPECT_EQ(seckill::retry_after_seconds(1000ms), 1);
  EXPECT_EQ(seckill::retry_after_seconds(1001ms), 2);
  EXPECT_EQ(seckill::retry_after_seconds(900'000ms), 900);
}

TEST(ReminderCursor, RoundTripsAndRefusesGarbage) {
  seckill::ReminderCursor c{seckill::SysTime(std::chrono::microseconds(1'780'000'000'123'456)),
                            7'000'000'000'000'000'001ULL};
  auto text = seckill::format_reminder_cursor(c);
  auto back = seckill::parse_reminder_cursor(text);
  ASSERT_TRUE(back.has_value()) << text;
  EXPECT_EQ(back->first_at, c.first_at);
  EXPECT_EQ(back->id, c.id);
  for (const char* bad : {"", "-", "12", "12-", "-5", "x-1", "1-x", "1-2-3", "-1-2"}) {
    EXPECT_FALSE(seckill::parse_reminder_cursor(bad).has_value()) << bad;
  }
}

// Found by the id fuzz target (UBSan: signed overflow in the µs -> ns conversion):
// fuzz/id/regressions/cursor_overflow.
TEST(ReminderCursor, RefusesTimesBeyondWhatSysTimeHolds) {
  for (const char* bad :
       {"170000000000000024-94967297", "9223372036854776-1", "9223372036854775807-1"}) {
    EXPECT_FALSE(seckill::parse_reminder_cursor(bad).has_value()) << bad;
  }
  EXPECT_TRUE(seckill::parse_reminder_cursor("9223372036854775-1").has_value());
}
