#include "core/ticket.hpp"

#include <string>

#include <gtest/gtest.h>

using seckill::is_valid_ticket;

TEST(Ticket, AcceptsTheContractsAlphabetFromOneTo64Characters) {
  EXPECT_TRUE(is_valid_ticket("A"));
  EXPECT_TRUE(is_valid_ticket("INC-2026_0001"));
  EXPECT_TRUE(is_valid_ticket("azAZ09_-"));
  EXPECT_TRUE(is_valid_ticket(std::string(64, 'x')));
  EXPECT_FALSE(seckill::validate_ticket("T-1").has_value());
}

TEST(Ticket, RefusesEmptyTooLongAndEveryOtherCharacter) {
  EXPECT_FALSE(is_valid_ticket(""));
  EXPECT_FALSE(is_valid_ticket(std::string(65, 'x')));
  for (const char* bad : {"a b", "a/b", "a:b", "{r:1}", "a.b", "a+b", "é", "a\nb", "a%20b", "*"}) {
    EXPECT_FALSE(is_valid_ticket(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_ticket(std::string("a\0b", 3)));
  auto failure = seckill::validate_ticket("bad ticket");
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->code, seckill::ErrorCode::bad_request);
}
