#include "redis/script.hpp"

#include <gtest/gtest.h>

namespace seckill::redis {
namespace {

TEST(Script, Sha1OfKnownInputs) {
  EXPECT_EQ(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(Script, ComputesSha1AtConstruction) {
  Script script("one", "return 1");
  EXPECT_EQ(script.name(), "one");
  EXPECT_EQ(script.source(), "return 1");
  EXPECT_EQ(script.sha1(), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");  // as Redis says
  EXPECT_EQ(script.sha1().size(), 40u);
}

}  // namespace
}  // namespace seckill::redis
