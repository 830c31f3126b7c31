#include "store/sqlite/sqlite_revocations.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include <gtest/gtest.h>

#include "temp_dir.hpp"

// The embedded mode's revocations in SQLite: a revoked token (or user) stays revoked when the
// store is opened again, as `seckill serve` does after a restart.

using namespace seckill;
using namespace seckill::store::sqlite;
using seckill::testing::run;
using seckill::testing::TempDir;

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

TEST(SqliteRevocations, SurviveOpeningTheStoreAgain) {
  TempDir dir;
  const double now = now_s();
  const auth::Revocation token{"token-1", 0, now, now + 3600};
  const auth::Revocation user{"", 42, now, now + 3600};
  {
    SqliteDatabase db({.data_dir = dir.path()});
    SqliteRevocations revocations(db);
    EXPECT_EQ(revocations.local().size(), 0U);
    run(revocations.add(token));
    run(revocations.add(user));
    EXPECT_TRUE(revocations.local().revoked("token-1", 7, std::nullopt));
  }
  SqliteDatabase db({.data_dir = dir.path()});
  SqliteRevocations revocations(db);
  EXPECT_TRUE(revocations.local().revoked("token-1", 7, now - 10));
  EXPECT_TRUE(revocations.local().revoked("other", 42, now - 10));
  EXPECT_FALSE(revocations.local().revoked("other", 42, now + 10)) << "issued after";
  EXPECT_FALSE(revocations.local().revoked("other", 7, std::nullopt));
  auto listed = run(revocations.list());
  ASSERT_EQ(listed.size(), 2U);
  EXPECT_NE(std::find(listed.begin(), listed.end(), token), listed.end());
  EXPECT_NE(std::find(listed.begin(), listed.end(), user), listed.end());
}

TEST(SqliteRevocations, ALaterRevocationKeepsTheLatestTimes) {
  TempDir dir;
  const double now = now_s();
  {
    SqliteDatabase db({.data_dir = dir.path()});
    SqliteRevocations revocations(db);
    run(revocations.add(auth::Revocation{"", 42, now - 100, now + 100}));
    run(revocations.add(auth::Revocation{"", 42, now, now + 3600}));
    run(revocations.add(auth::Revocation{"", 42, now - 50, now + 50}));
  }
  SqliteDatabase db({.data_dir = dir.path()});
  SqliteRevocations revocations(db);
  auto listed = run(revocations.list());
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed[0], (auth::Revocation{"", 42, now, now + 3600}));
}

TEST(SqliteRevocations, ExpiredOnesAreNotRestored) {
  TempDir dir;
  const double now = now_s();
  {
    SqliteDatabase db({.data_dir = dir.path()});
    // Written an hour ago, when it was still in force.
    auto job = [now](SqliteConnection& c) {
      upsert_revocation(c, auth::Revocation{"old", 0, now - 7200, now - 60}, now - 3600);
    };
    run(db.write(std::move(job)));
    SqliteRevocations revocations(db);
    EXPECT_EQ(revocations.local().size(), 0U) << "expired: not loaded";
    run(revocations.add(auth::Revocation{"new", 0, now, now + 3600}));
  }
  SqliteDatabase db({.data_dir = dir.path()});
  SqliteRevocations revocations(db);
  EXPECT_EQ(revocations.local().size(), 1U);
  EXPECT_FALSE(revocations.local().revoked("old", 1, std::nullopt));
  EXPECT_TRUE(revocations.local().revoked("new", 1, std::nullopt));
  auto count = [](SqliteConnection& c) { return c.scalar_int("select count(*) from revocations"); };
  EXPECT_EQ(db.read_now(count), 1) << "the expired row was dropped when the next one was written";
}
