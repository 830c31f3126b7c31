#include "coordinator/embedded/embedded_reminder_gate.hpp"

#include <atomic>
#include <set>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "core/infra_error.hpp"
#include "store/sqlite/sqlite_reminder_records.hpp"
#include "temp_dir.hpp"

// The embedded reminders' coordinator against the real SQLite records: the rules of remind.lua
// on a controlled clock, every accepted reminder stored before it is answered, a failed write
// undone, and the windows rebuilt from the store.

namespace asio = boost::asio;
using namespace std::chrono;
using namespace seckill;
using namespace seckill::coordinator::embedded;
using namespace seckill::store::sqlite;
using remind::RemindOutcome;
using seckill::testing::run;
using seckill::testing::TempDir;

namespace {

const SysTime kT0 = sys_days{year{2026} / 11 / 22} + 10h;

/// A clock the test moves.
struct TestClock {
  std::atomic<std::int64_t> micros{duration_cast<microseconds>(kT0.time_since_epoch()).count()};
  SysTime now() const { return SysTime(microseconds(micros.load())); }
  void advance(milliseconds d) { micros.fetch_add(duration_cast<microseconds>(d).count()); }
};

/// The real records, whose writes can be made to fail as an unreachable store's do.
class FlakyRecords final : public remind::ReminderRecords {
 public:
  explicit FlakyRecords(remind::ReminderRecords& inner) : inner_(inner) {}
  std::atomic<bool> failing{false};

  asio::awaitable<void> write(std::vector<ReminderEvent> events) override {
    if (failing.load()) throw IoError("the store is down");
    co_await inner_.write(std::move(events));
  }
  asio::awaitable<std::vector<ReminderRecord>> list_ticket(
      std::string ticket, std::optional<std::uint64_t> only_user) override {
    co_return co_await inner_.list_ticket(std::move(ticket), only_user);
  }
  asio::awaitable<std::vector<ReminderRecord>> queue(ReminderStatus status, int limit,
                                                     std::optional<ReminderCursor> after) override {
    co_return co_await inner_.queue(status, limit, after);
  }
  asio::awaitable<std::expected<ReminderRecord, Failure>> ack(std::uint64_t id,
                                                              std::uint64_t staff_id,
                                                              SysTime at) override {
    co_return co_await inner_.ack(id, staff_id, at);
  }
  asio::awaitable<std::expected<ReminderRecord, Failure>> resolve(std::uint64_t id,
                                                                  SysTime at) override {
    co_return co_await inner_.resolve(id, at);
  }

 private:
  remind::ReminderRecords& inner_;
};

struct Embedded {
  Embedded(const TempDir& dir, remind::ReminderWindows windows)
      : db({.data_dir = dir.path()}),
        records(db),
        flaky(records),
        gate(flaky, windows, [this] { return clock.now(); }) {}
  remind::RemindDecision remind(const std::string& ticket, std::uint64_t user) {
    return run(gate.remind(ticket, user, next_id++));
  }
  std::vector<ReminderRecord> stored(const std::string& ticket) {
    return run(records.list_ticket(ticket, std::nullopt));
  }
  TestClock clock;
  SqliteDatabase db;
  SqliteReminderRecords records;
  FlakyRecords flaky;
  EmbeddedReminderGate gate;
  std::uint64_t next_id = 1000;
};

const remind::ReminderWindows kEqual{minutes(15), minutes(15)};

}  // namespace

TEST(EmbeddedReminderGate, OneRecordPerWindowAndOneReminderPerUserWindow) {
  TempDir dir;
  Embedded e(dir, kEqual);
  auto first = e.remind("T-1", 1);
  EXPECT_EQ(first.outcome, RemindOutcome::opened);
  EXPECT_EQ(first.reminder_id, 1000u);
  EXPECT_EQ(first.at, kT0);
  // Answered only once stored.
  ASSERT_EQ(e.stored("T-1").size(), 1u);

  e.clock.advance(minutes(1));
  auto second = e.remind("T-1", 2);
  EXPECT_EQ(second.outcome, RemindOutcome::joined);
  EXPECT_EQ(second.reminder_id, 1000u);
  auto again = e.remind("T-1", 1);
  EXPECT_EQ(again.outcome, RemindOutcome::already_reminded);
  EXPECT_EQ(again.retry_after, minutes(14));
  EXPECT_EQ(again.reminder_id, 1000u) << "the record the user's reminder is in";
  EXPECT_EQ(e.remind("T-2", 1).outcome, RemindOutcome::opened);  // another ticket

  // The record's window counts from its first_at.
  e.clock.advance(minutes(14));
  auto next = e.remind("T-1", 3);
  EXPECT_EQ(next.outcome, RemindOutcome::opened);
  EXPECT_NE(next.reminder_id, 1000u);
  auto stored = e.stored("T-1");
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].users.size(), 2u);
  EXPECT_EQ(stored[0].last_at, kT0 + minutes(1));
  EXPECT_EQ(stored[1].users.size(), 1u);
}

TEST(EmbeddedReminderGate, AUserWindowShorterThanTheRecordWindowJoinsTheSameRecord) {
  TempDir dir;
  Embedded e(dir, {seconds(6), seconds(2)});
  auto first = e.remind("UW", 31);
  e.clock.advance(milliseconds(500));
  auto refused = e.remind("UW", 31);
  EXPECT_EQ(refused.outcome, RemindOutcome::already_reminded);
  EXPECT_EQ(refused.retry_after, milliseconds(1500));
  e.clock.advance(milliseconds(1800));
  auto again = e.remind("UW", 31);
  EXPECT_EQ(again.outcome, RemindOutcome::joined);
  EXPECT_EQ(again.reminder_id, first.reminder_id);
  auto stored = e.stored("UW");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].users.size(), 1u);
  EXPECT_EQ(stored[0].last_at, kT0 + milliseconds(2300));
}

TEST(EmbeddedReminderGate, AUserWindowLongerThanTheRecordWindowWins) {
  TempDir dir;
  Embedded e(dir, {seconds(2), seconds(6)});
  auto first = e.remind("RW", 41);
  e.clock.advance(milliseconds(2300));
  auto other = e.remind("RW", 42);
  EXPECT_EQ(other.outcome, RemindOutcome::opened);
  EXPECT_NE(other.reminder_id, first.reminder_id);
  auto refused = e.remind("RW", 41);
  EXPECT_EQ(refused.outcome, RemindOutcome::already_reminded);
  EXPECT_EQ(refused.retry_after, milliseconds(3700));
}

TEST(EmbeddedReminderGate, AFailedWriteIsUndoneAndNothingIsStored) {
  TempDir dir;
  Embedded e(dir, kEqual);
  e.flaky.failing = true;
  EXPECT_THROW(e.remind("F-1", 1), IoError);
  e.flaky.failing = false;
  EXPECT_TRUE(e.stored("F-1").empty());
  // The user's window and the record were given back: the retry opens a record.
  auto retry = e.remind("F-1", 1);
  EXPECT_EQ(retry.outcome, RemindOutcome::opened);
  // A failed join gives back the user's window and keeps the record.
  e.flaky.failing = true;
  EXPECT_THROW(e.remind("F-1", 2), IoError);
  e.flaky.failing = false;
  auto joined = e.remind("F-1", 2);
  EXPECT_EQ(joined.outcome, RemindOutcome::joined);
  EXPECT_EQ(joined.reminder_id, retry.reminder_id);
  auto stored = e.stored("F-1");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].users.size(), 2u);
}

namespace {

struct Tally {
  std::mutex mutex;
  std::set<std::uint64_t> ids;
  int opened = 0;
  int joined = 0;
  int refused = 0;
  int failed = 0;
};

asio::awaitable<void> remind_one(EmbeddedReminderGate* gate, std::string ticket, std::uint64_t user,
                                 std::uint64_t id, Tally* tally) {
  try {
    auto d = co_await gate->remind(std::move(ticket), user, id);
    std::lock_guard lock(tally->mutex);
    switch (d.outcome) {
      case RemindOutcome::opened:
        ++tally->opened;
        tally->ids.insert(d.reminder_id);
        break;
      case RemindOutcome::joined:
        ++tally->joined;
        tally->ids.insert(d.reminder_id);
        break;
      case RemindOutcome::already_reminded:
        ++tally->refused;
        break;
    }
  } catch (const InfraError&) {
    std::lock_guard lock(tally->mutex);
    ++tally->failed;
  }
}

}  // namespace

TEST(EmbeddedReminderGate, ConcurrentRemindersOfOneTicketMakeOneRecord) {
  TempDir dir;
  Embedded e(dir, kEqual);
  Tally tally;
  asio::io_context io1;
  asio::io_context io2;
  std::uint64_t id = 5000;
  for (int round = 0; round < 5; ++round) {
    for (std::uint64_t user = 1; user <= 40; ++user, ++id)
      asio::co_spawn(id % 2 == 0 ? io1 : io2, remind_one(&e.gate, "C-1", user, id, &tally),
                     asio::detached);
  }
  std::thread t1([&] { io1.run(); });
  std::thread t2([&] { io2.run(); });
  t1.join();
  t2.join();
  EXPECT_EQ(tally.opened, 1);
  EXPECT_EQ(tally.joined, 39);
  EXPECT_EQ(tally.refused, 160);
  EXPECT_EQ(tally.failed, 0);
  EXPECT_EQ(tally.ids.size(), 1u);
  auto stored = e.stored("C-1");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].users.size(), 40u);
}

// A record staff resolved collects no more reminders (core/reminder.hpp): once the gate is told
// (ReminderService::resolve closes it), or after a restart from the store.
TEST(EmbeddedReminderGate, AReminderAfterAResolveOpensANewRecord) {
  TempDir dir;
  std::uint64_t resolved_id = 0;
  {
    Embedded e(dir, kEqual);
    resolved_id = e.remind("T-1", 1).reminder_id;
    ASSERT_TRUE(run(e.records.resolve(resolved_id, e.clock.now())).has_value());
    run(e.gate.close("T-1", resolved_id));
    run(e.gate.close("T-1", 999));  // not the current record: nothing
    e.clock.advance(minutes(1));
    auto next = e.remind("T-1", 2);
    EXPECT_EQ(next.outcome, RemindOutcome::opened);
    EXPECT_NE(next.reminder_id, resolved_id);
    ASSERT_TRUE(run(e.records.resolve(next.reminder_id, e.clock.now())).has_value());
  }
  // Restored from the store: the newest record is resolved, so none is open.
  Embedded e(dir, kEqual);
  e.next_id = 2000;
  e.clock.advance(minutes(2));
  e.gate.restore(e.records.records_since_now(e.clock.now() - kEqual.record - kEqual.user));
  auto after_restart = e.remind("T-1", 3);
  EXPECT_EQ(after_restart.outcome, RemindOutcome::opened);
  EXPECT_EQ(after_restart.reminder_id, 2000u);
}

TEST(EmbeddedReminderGate, RestoreRebuildsTheWindowsFromTheStore) {
  TempDir dir;
  remind::ReminderWindows windows{minutes(15), minutes(10)};
  std::uint64_t open_id = 0;
  {
    Embedded e(dir, windows);
    e.remind("OLD", 1);
    e.clock.advance(minutes(20));
    open_id = e.remind("R-1", 1).reminder_id;
    e.clock.advance(minutes(1));
    e.remind("R-1", 2);
  }
  Embedded e(dir, windows);
  e.next_id = 2000;
  e.clock.advance(minutes(23));  // 2 minutes after user 2's reminder, 3 after the record opened
  e.gate.restore(e.records.records_since_now(e.clock.now() - windows.record - windows.user));
  auto refused = e.remind("R-1", 2);
  EXPECT_EQ(refused.outcome, RemindOutcome::already_reminded);
  EXPECT_EQ(refused.retry_after, minutes(8));
  EXPECT_EQ(refused.reminder_id, open_id);
  auto joined = e.remind("R-1", 3);
  EXPECT_EQ(joined.outcome, RemindOutcome::joined);
  EXPECT_EQ(joined.reminder_id, open_id);
  // The record of ticket OLD is over, and so is user 1's window on it.
  EXPECT_EQ(e.remind("OLD", 1).outcome, RemindOutcome::opened);
}
