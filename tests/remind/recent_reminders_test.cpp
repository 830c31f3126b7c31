#include "remind/recent_reminders.hpp"

#include <gtest/gtest.h>

using seckill::remind::RecentReminders;
using namespace std::chrono_literals;

namespace {
const RecentReminders::Time kT0 = RecentReminders::Time{} + 1000h;
}

TEST(RecentReminders, KnowsNothingAtFirst) {
  RecentReminders recent;
  EXPECT_FALSE(recent.time_left("T-1", 7, kT0));
}

TEST(RecentReminders, AnswersUntilTheCoordinatorsTimeRunsOutCountedFromTheQuestion) {
  RecentReminders recent;
  recent.remember("T-1", 7, kT0, 10s);
  EXPECT_EQ(recent.time_left("T-1", 7, kT0 + 4s), 6s);
  EXPECT_FALSE(recent.time_left("T-1", 8, kT0 + 4s));   // another user
  EXPECT_FALSE(recent.time_left("T-2", 7, kT0 + 4s));   // another ticket
  EXPECT_FALSE(recent.time_left("T-1", 7, kT0 + 10s));  // the window is over: ask again
}

TEST(RecentReminders, KeepsTheRecordTheCoordinatorNamed) {
  RecentReminders recent;
  recent.remember("T-1", 7, kT0, 10s, 4242);
  auto known = recent.known("T-1", 7, kT0 + 1s);
  ASSERT_TRUE(known);
  EXPECT_EQ(known->left, 9s);
  EXPECT_EQ(known->reminder_id, 4242u);
}

TEST(RecentReminders, NothingKeptForNoTimeLeft) {
  RecentReminders recent;
  recent.remember("T-1", 7, kT0, 0ms);
  EXPECT_FALSE(recent.time_left("T-1", 7, kT0));
}

TEST(RecentReminders, StaysBoundedWhenFull) {
  RecentReminders recent(3);
  for (std::uint64_t u = 0; u < 10; ++u)
    recent.remember("T", u, kT0, 1min);
  int known = 0;
  for (std::uint64_t u = 0; u < 10; ++u)
    known += recent.time_left("T", u, kT0).has_value();
  EXPECT_LE(known, 3);
  EXPECT_TRUE(recent.time_left("T", 9, kT0));  // the newest is kept
}
