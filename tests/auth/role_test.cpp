#include "auth/role.hpp"

#include <gtest/gtest.h>

namespace seckill::auth {
namespace {

TEST(Role, ParsesExactlyTheThreeNames) {
  for (Role r : {Role::user, Role::staff, Role::admin})
    EXPECT_EQ(parse_role(to_string(r)), r);
  EXPECT_FALSE(parse_role("Admin").has_value());
  EXPECT_FALSE(parse_role("root").has_value());
  EXPECT_FALSE(parse_role("").has_value());
}

}  // namespace
}  // namespace seckill::auth
