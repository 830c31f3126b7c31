#include "store/sqlite/sqlite_reminder_records.hpp"

#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "store/sqlite/sale_tables.hpp"
#include "temp_dir.hpp"

// The reminders' records in SQLite: idempotent event writes, the ticket and staff views, and the
// ack/resolve workflow as single conditional updates (one winner).

namespace asio = boost::asio;
using namespace std::chrono;
using namespace seckill;
using namespace seckill::store::sqlite;
using seckill::testing::run;
using seckill::testing::TempDir;

namespace {

const SysTime kT0 = sys_days{year{2026} / 11 / 22} + 10h;

ReminderEvent event(std::uint64_t id, std::string ticket, std::uint64_t user, SysTime at,
                    bool new_record = false) {
  return {.reminder_id = id,
          .ticket = std::move(ticket),
          .user_id = user,
          .at = at,
          .new_record = new_record};
}

struct Records {
  explicit Records(const TempDir& dir) : db({.data_dir = dir.path()}), records(db) {}
  void write(std::vector<ReminderEvent> events) { run(records.write(std::move(events))); }
  SqliteDatabase db;
  SqliteReminderRecords records;
};

}  // namespace

TEST(SqliteReminderRecords, WritingIsIdempotentAndLastAtOnlyMovesForward) {
  TempDir dir;
  Records r(dir);
  r.write({event(100, "T-1", 1, kT0, true), event(100, "T-1", 2, kT0 + 5s)});
  // Replays, out of order, and a second reminder of user 1 into the same record.
  r.write({event(100, "T-1", 2, kT0 + 5s), event(100, "T-1", 1, kT0 + 3s),
           event(100, "T-1", 1, kT0, true)});
  auto list = run(r.records.list_ticket("T-1", std::nullopt));
  ASSERT_EQ(list.size(), 1u);
  const auto& rec = list[0];
  EXPECT_EQ(rec.id, 100u);
  EXPECT_EQ(rec.ticket, "T-1");
  EXPECT_EQ(rec.status, ReminderStatus::open);
  EXPECT_EQ(rec.first_at, kT0);
  EXPECT_EQ(rec.last_at, kT0 + 5s);
  ASSERT_EQ(rec.users.size(), 2u);
  EXPECT_EQ(rec.users[0].user_id, 1u);
  EXPECT_EQ(rec.users[0].at, kT0);  // the user's first reminder
  EXPECT_EQ(rec.users[1].user_id, 2u);
  EXPECT_FALSE(rec.acked_by.has_value());
  EXPECT_FALSE(rec.resolved_at.has_value());
  // Reminder ids count for the ids after a restart.
  EXPECT_GE(r.db.read_now([](SqliteConnection& c) { return select_max_id(c); }), 100u);
}

TEST(SqliteReminderRecords, AnIdStoredForAnotherTicketIsRefusedNotMerged) {
  TempDir dir;
  Records r(dir);
  r.write({event(100, "T-1", 1, kT0, true)});
  try {
    r.write({event(101, "T-3", 3, kT0, true), event(100, "T-2", 2, kT0 + 5s, true)});
    FAIL() << "a reminder on T-2 merged into T-1's record";
  } catch (const SqliteError& e) {
    EXPECT_TRUE(e.is_constraint());
    EXPECT_NE(std::string(e.what()).find("reminder id 100 is stored for ticket T-1"),
              std::string::npos);
  }
  auto list = run(r.records.list_ticket("T-1", std::nullopt));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].last_at, kT0);
  EXPECT_EQ(list[0].users.size(), 1u);
  EXPECT_TRUE(run(r.records.list_ticket("T-2", std::nullopt)).empty());
  EXPECT_TRUE(run(r.records.list_ticket("T-3", std::nullopt)).empty());  // rolled back whole
  r.write({event(100, "T-1", 1, kT0, true)});                            // the same event: fine
}

TEST(SqliteReminderRecords, TicketListingIsOldestFirstAndFiltersByUser) {
  TempDir dir;
  Records r(dir);
  r.write({event(201, "T-2", 7, kT0 + 20min, true), event(200, "T-2", 8, kT0, true),
           event(202, "T-3", 7, kT0, true)});
  auto all = run(r.records.list_ticket("T-2", std::nullopt));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, 200u);
  EXPECT_EQ(all[1].id, 201u);
  auto mine = run(r.records.list_ticket("T-2", std::uint64_t{7}));
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].id, 201u);
  EXPECT_TRUE(run(r.records.list_ticket("T-2", std::uint64_t{9})).empty());
  EXPECT_TRUE(run(r.records.list_ticket("NOPE", std::nullopt)).empty());
}

TEST(SqliteReminderRecords, QueueByStatusOldestFirstWithACursor) {
  TempDir dir;
  Records r(dir);
  std::vector<ReminderEvent> events;
  // Ties on first_at are ordered by id.
  for (std::uint64_t i = 0; i < 10; ++i)
    events.push_back(event(300 + (9 - i), "Q-" + std::to_string(i), 1, kT0 + seconds(i / 2), true));
  r.write(events);
  std::vector<std::uint64_t> seen;
  std::optional<ReminderCursor> cursor;
  for (int page = 0; page < 10; ++page) {
    auto records = run(r.records.queue(ReminderStatus::open, 3, cursor));
    for (const auto& rec : records)
      seen.push_back(rec.id);
    if (records.size() < 3) break;
    cursor = ReminderCursor{records.back().first_at, records.back().id};
  }
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{308, 309, 306, 307, 304, 305, 302, 303, 300, 301}));
  ASSERT_TRUE(run(r.records.ack(300, 5, kT0 + 1h)).has_value());
  auto acked = run(r.records.queue(ReminderStatus::acked, 10, std::nullopt));
  ASSERT_EQ(acked.size(), 1u);
  EXPECT_EQ(acked[0].id, 300u);
  EXPECT_EQ(run(r.records.queue(ReminderStatus::open, 50, std::nullopt)).size(), 9u);
  EXPECT_TRUE(run(r.records.queue(ReminderStatus::resolved, 50, std::nullopt)).empty());
}

TEST(SqliteReminderRecords, AckAndResolveFollowTheWorkflow) {
  TempDir dir;
  Records r(dir);
  r.write({event(400, "W-1", 1, kT0, true), event(401, "W-2", 1, kT0, true)});
  auto missing = run(r.records.ack(999, 5, kT0));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_EQ(run(r.records.resolve(999, kT0)).error().code, ErrorCode::not_found);

  auto acked = run(r.records.ack(400, 5, kT0 + 1min));
  ASSERT_TRUE(acked.has_value());
  EXPECT_EQ(acked->status, ReminderStatus::acked);
  EXPECT_EQ(acked->acked_by, std::uint64_t{5});
  EXPECT_EQ(acked->acked_at, kT0 + 1min);
  EXPECT_EQ(acked->users.size(), 1u);
  EXPECT_EQ(run(r.records.ack(400, 6, kT0 + 2min)).error().code, ErrorCode::invalid_state);

  auto resolved = run(r.records.resolve(400, kT0 + 3min));
  ASSERT_TRUE(resolved.has_value());
  EXPECT_EQ(resolved->status, ReminderStatus::resolved);
  EXPECT_EQ(resolved->acked_by, std::uint64_t{5});
  EXPECT_EQ(resolved->resolved_at, kT0 + 3min);
  EXPECT_EQ(run(r.records.resolve(400, kT0)).error().code, ErrorCode::invalid_state);
  EXPECT_EQ(run(r.records.ack(400, 5, kT0)).error().code, ErrorCode::invalid_state);
  // Open resolves directly.
  EXPECT_TRUE(run(r.records.resolve(401, kT0)).has_value());
}

namespace {

asio::awaitable<void> ack_one(SqliteReminderRecords* records, std::uint64_t id, std::uint64_t staff,
                              std::atomic<int>* won, std::atomic<int>* invalid) {
  auto r = co_await records->ack(id, staff, kT0);
  if (r) {
    won->fetch_add(1);
  } else if (r.error().code == ErrorCode::invalid_state) {
    invalid->fetch_add(1);
  }
}

}  // namespace

TEST(SqliteReminderRecords, OfManyStaffAckingAtOnceExactlyOneWins) {
  TempDir dir;
  Records r(dir);
  r.write({event(500, "R-1", 1, kT0, true)});
  std::atomic<int> won{0};
  std::atomic<int> invalid{0};
  asio::io_context io1;
  asio::io_context io2;
  for (std::uint64_t i = 0; i < 50; ++i)
    asio::co_spawn(i % 2 == 0 ? io1 : io2, ack_one(&r.records, 500, 700 + i, &won, &invalid),
                   asio::detached);
  std::thread t1([&] { io1.run(); });
  std::thread t2([&] { io2.run(); });
  t1.join();
  t2.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(invalid.load(), 49);
}

TEST(SqliteReminderRecords, RecordsSinceSurviveAReopen) {
  TempDir dir;
  {
    Records r(dir);
    r.write({event(600, "S-1", 1, kT0 - 1h, true), event(601, "S-1", 2, kT0, true),
             event(601, "S-1", 3, kT0 + 1s)});
  }
  Records r(dir);
  auto recent = r.records.records_since_now(kT0 - 1min);
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0].id, 601u);
  EXPECT_EQ(recent[0].users.size(), 2u);
  EXPECT_EQ(r.records.records_since_now(kT0 - 2h).size(), 2u);
}
