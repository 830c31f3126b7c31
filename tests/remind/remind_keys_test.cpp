#include "coordinator/redis/remind_keys.hpp"

#include <set>

#include <gtest/gtest.h>

using namespace seckill::coordinator::redis;

TEST(RemindKeys, EveryKeyOfATicketSharesOnePartitionTag) {
  RemindKeys keys("INC-42", 7);
  auto tag = fmt::format("{{r:{}}}", keys.partition);
  EXPECT_EQ(keys.user.rfind(tag, 0), 0u) << keys.user;
  EXPECT_EQ(keys.open.rfind(tag, 0), 0u) << keys.open;
  EXPECT_EQ(keys.events.rfind(tag, 0), 0u) << keys.events;
  EXPECT_EQ(keys.events, reminder_stream(keys.partition));
}

TEST(RemindKeys, ThePartitionHashIsStableAndBounded) {
  // FNV-1a 32: these values must never change (see remind_keys.hpp).
  static_assert(fnv1a_32("") == 2166136261u);
  static_assert(fnv1a_32("a") == 0xe40c292cu);
  std::set<std::uint32_t> used;
  for (int i = 0; i < 1000; ++i) {
    auto p = reminder_partition(fmt::format("T-{}", i));
    EXPECT_LT(p, kReminderPartitions);
    used.insert(p);
  }
  EXPECT_EQ(used.size(), kReminderPartitions);
}
