// The store side of fencing: a write carrying an older token than one already seen for its
// resource is refused, in PostgreSQL and in SQLite, and the lock-based reminder ledgers write
// nothing for a stale holder.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "embedded/temp_dir.hpp"
#include "lock/locked_reminder_gate.hpp"
#include "redis/redis_test_support.hpp"
#include "store/pg_test_schema.hpp"
#include "store/postgres/fencing.hpp"
#include "store/postgres/pg_fenced_reminder_ledger.hpp"
#include "store/sqlite/fencing.hpp"
#include "store/sqlite/sqlite_database.hpp"
#include "store/sqlite/sqlite_fenced_reminder_ledger.hpp"

namespace seckill::lock {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST(Fencing, PostgresRefusesAnOlderTokenAndKeepsTheNewest) {
  testing::PgTestSchema schema("fencing");
  auto c = schema.connect();
  using store::postgres::advance_fencing_token;
  EXPECT_TRUE(advance_fencing_token(c, "r", 5));
  EXPECT_TRUE(advance_fencing_token(c, "r", 5));  // the same holder writing again
  EXPECT_TRUE(advance_fencing_token(c, "r", 7));
  EXPECT_FALSE(advance_fencing_token(c, "r", 6));  // a holder older than the newest
  EXPECT_TRUE(advance_fencing_token(c, "other", 1));
  EXPECT_EQ(c.exec("select token from fencing_tokens where resource = 'r'").int64(0, 0), 7);
}

TEST(Fencing, SqliteRefusesAnOlderTokenAndKeepsTheNewest) {
  testing::TempDir dir;
  store::sqlite::SqliteDatabaseOptions options;
  options.data_dir = dir.path();
  store::sqlite::SqliteDatabase db(options);
  asio::io_context io;
  auto body = [](store::sqlite::SqliteDatabase& d) -> asio::awaitable<void> {
    auto job = [](store::sqlite::SqliteConnection& c) {
      using store::sqlite::advance_fencing_token;
      EXPECT_TRUE(advance_fencing_token(c, "r", 5));
      EXPECT_TRUE(advance_fencing_token(c, "r", 5));
      EXPECT_TRUE(advance_fencing_token(c, "r", 7));
      EXPECT_FALSE(advance_fencing_token(c, "r", 6));
    };
    co_await d.write(std::move(job));
  };
  redis::testing::run(io, body(db));
}

remind::RemindDecision open_new(const TicketState& s) {
  remind::RemindDecision d;
  d.outcome = s.newest_id ? remind::RemindOutcome::joined : remind::RemindOutcome::opened;
  d.reminder_id = s.newest_id.value_or(1001);
  d.at = s.now;
  return d;
}

asio::awaitable<void> stale_holder(FencedReminderLedger& ledger) {
  auto fresh = co_await ledger.remind("remind:ticket:T", 10, "T", 1, open_new);
  EXPECT_TRUE(fresh);
  EXPECT_EQ(fresh->outcome, remind::RemindOutcome::opened);
  auto stale = co_await ledger.remind("remind:ticket:T", 9, "T", 2, open_new);
  EXPECT_FALSE(stale) << "a stale holder's reminder was written";
}

TEST(Fencing, PostgresLedgerWritesNothingForAStaleHolder) {
  testing::PgTestSchema schema("fencing_ledger");
  store::postgres::PgPoolOptions options;
  options.connect = schema.options();
  options.size = 1;
  store::postgres::PgPool pool(options);
  store::postgres::PgFencedReminderLedger ledger(pool);
  asio::io_context io;
  redis::testing::run(io, stale_holder(ledger));
  pool.stop();
  auto c = schema.connect();
  EXPECT_EQ(c.exec("select count(*) from reminder_users").int64(0, 0), 1);
}

TEST(Fencing, SqliteLedgerWritesNothingForAStaleHolder) {
  testing::TempDir dir;
  store::sqlite::SqliteDatabaseOptions options;
  options.data_dir = dir.path();
  store::sqlite::SqliteDatabase db(options);
  store::sqlite::SqliteFencedReminderLedger ledger(db);
  asio::io_context io;
  redis::testing::run(io, stale_holder(ledger));
  auto count = [](store::sqlite::SqliteConnection& c) {
    auto q = c.query("select count(*) from reminder_users");
    q.step();
    return q.int64(0);
  };
  EXPECT_EQ(db.read_now(count), 1);
}

// already_reminded names the record the user's reminder is in (CONTRACT.md, "Errors").
asio::awaitable<void> remind_twice(FencedReminderLedger& ledger) {
  auto windows = remind::ReminderWindows{std::chrono::minutes(15), std::chrono::minutes(15)};
  DecideReminder decide = [windows](const TicketState& s) {
    return decide_reminder(s, 4242, windows);
  };
  auto first = co_await ledger.remind("remind:ticket:H", 1, "H", 5, decide);
  EXPECT_TRUE(first);
  EXPECT_EQ(first->outcome, remind::RemindOutcome::opened);
  auto again = co_await ledger.remind("remind:ticket:H", 2, "H", 5, decide);
  EXPECT_TRUE(again);
  EXPECT_EQ(again->outcome, remind::RemindOutcome::already_reminded);
  EXPECT_EQ(again->reminder_id, 4242u);
}

TEST(Fencing, PostgresLedgerNamesTheRecordOfAnAlreadyRemindedUser) {
  testing::PgTestSchema schema("fencing_held");
  store::postgres::PgPoolOptions options;
  options.connect = schema.options();
  options.size = 1;
  store::postgres::PgPool pool(options);
  store::postgres::PgFencedReminderLedger ledger(pool);
  asio::io_context io;
  redis::testing::run(io, remind_twice(ledger));
  pool.stop();
}

TEST(Fencing, SqliteLedgerNamesTheRecordOfAnAlreadyRemindedUser) {
  testing::TempDir dir;
  store::sqlite::SqliteDatabaseOptions options;
  options.data_dir = dir.path();
  // Before the database: its jobs hold the context's executor until the database is gone (ASan
  // found the context destroyed first).
  asio::io_context io;
  store::sqlite::SqliteDatabase db(options);
  store::sqlite::SqliteFencedReminderLedger ledger(db);
  redis::testing::run(io, remind_twice(ledger));
}

}  // namespace
}  // namespace seckill::lock
