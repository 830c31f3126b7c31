#include "auth/revocation_list.hpp"

#include <gtest/gtest.h>

namespace seckill::auth {
namespace {

TEST(RevocationList, EmptyRevokesNothing) {
  RevocationList list;
  EXPECT_FALSE(list.revoked("abc", 1, 100.0));
  EXPECT_FALSE(list.revoked("", 1, std::nullopt));
  EXPECT_EQ(list.size(), 0u);
}

TEST(RevocationList, ATokenIdIsRevokedWhateverItsUser) {
  RevocationList list;
  list.add(Revocation{"abc", 0, 1000, 2000});
  EXPECT_TRUE(list.revoked("abc", 1, 500.0));
  EXPECT_TRUE(list.revoked("abc", 2, std::nullopt));
  EXPECT_FALSE(list.revoked("abd", 1, 500.0));
  EXPECT_FALSE(list.revoked("", 1, 500.0));
}

TEST(RevocationList, AUserIsRevokedForTokensIssuedBefore) {
  RevocationList list;
  list.add(Revocation{{}, 42, 1000, 2000});
  EXPECT_TRUE(list.revoked("x", 42, 999.0));
  EXPECT_FALSE(list.revoked("x", 42, 1000.0)) << "issued at the revocation: after it";
  EXPECT_FALSE(list.revoked("x", 42, 1500.0));
  EXPECT_TRUE(list.revoked("x", 42, std::nullopt)) << "no iat: cannot show it came after";
  EXPECT_FALSE(list.revoked("x", 43, 999.0));
  // Revoked again later: the later time holds.
  list.add(Revocation{{}, 42, 1600, 2600});
  EXPECT_TRUE(list.revoked("x", 42, 1500.0));
}

TEST(RevocationList, ExpiredEntriesAreForgottenAndReplaceSwapsEverything) {
  RevocationList list;
  list.add(Revocation{"abc", 0, 1000, 2000});
  list.add(Revocation{{}, 42, 1000, 3000});
  EXPECT_EQ(list.entries(1500).size(), 2u);
  EXPECT_EQ(list.entries(2500).size(), 1u);
  list.forget_expired(2500);
  EXPECT_FALSE(list.revoked("abc", 1, 500.0));
  EXPECT_TRUE(list.revoked("x", 42, 500.0));
  list.replace({Revocation{"def", 0, 1000, 4000}});
  EXPECT_FALSE(list.revoked("x", 42, 500.0));
  EXPECT_TRUE(list.revoked("def", 1, 500.0));
  EXPECT_EQ(list.size(), 1u);
  list.replace({});
  EXPECT_FALSE(list.revoked("def", 1, 500.0));
}

}  // namespace
}  // namespace seckill::auth
