#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "pg_test_schema.hpp"
#include "store/postgres/fencing.hpp"
#include "store/postgres/reminder_store.hpp"

namespace asio = boost::asio;
using namespace std::chrono;
using namespace seckill::store::postgres;
using seckill::ErrorCode;
using seckill::testing::PgTestSchema;

namespace {

const seckill::SysTime kT0 = sys_days{year{2026} / 11 / 22} + 10h;

ReminderEvent event(std::uint64_t id, std::uint64_t user, seckill::SysTime at, bool first) {
  return {.reminder_id = id, .ticket = "T-1", .user_id = user, .at = at, .new_record = first};
}

}  // namespace

TEST(ReminderStore, FirstJoinReplay) {
  PgTestSchema schema("rem_join");
  auto c = schema.connect();
  insert_reminder_events(c, std::vector{event(1, 10, kT0, true)});
  insert_reminder_events(
      c, std::vector{event(1, 11, kT0 + 1min, false), event(1, 12, kT0 + 2min, false)});
  auto rec = select_reminder(c, 1);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->ticket, "T-1");
  EXPECT_EQ(rec->status, ReminderStatus::open);
  EXPECT_EQ(rec->first_at, kT0);
  EXPECT_EQ(rec->last_at, kT0 + 2min);
  ASSERT_EQ(rec->users.size(), 3u);
  EXPECT_EQ(rec->users[0].user_id, 10u);
  EXPECT_EQ(rec->users[2].at, kT0 + 2min);

  // Replays of everything, in another order: nothing changes.
  insert_reminder_events(c, std::vector{event(1, 12, kT0 + 2min, false), event(1, 10, kT0, true),
                                        event(1, 11, kT0 + 1min, false)});
  auto again = select_reminder(c, 1);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->users.size(), 3u);
  EXPECT_EQ(again->first_at, kT0);
  EXPECT_EQ(again->last_at, kT0 + 2min);
  EXPECT_FALSE(select_reminder(c, 2));
}

TEST(ReminderStore, AnIdStoredForAnotherTicketIsRefusedNotMerged) {
  PgTestSchema schema("rem_reused_id");
  auto c = schema.connect();
  insert_reminder_events(c, std::vector{event(1, 10, kT0, true)});
  auto other = event(1, 11, kT0 + 1min, true);
  other.ticket = "T-2";
  auto fresh = event(2, 12, kT0 + 1min, true);
  try {
    insert_reminder_events(c, std::vector{fresh, other});
    FAIL() << "a reminder on T-2 merged into T-1's record";
  } catch (const PgError& e) {
    EXPECT_TRUE(e.is_unique_violation());
    EXPECT_TRUE(e.is_refusal());
    EXPECT_EQ(std::string(e.what()),
              "reminder id 1 is stored for ticket T-1, and this reminder is on ticket T-2: an id "
              "was issued twice (the id counter lost?); the reminder is refused, not stored");
  }
  auto rec = select_reminder(c, 1);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->ticket, "T-1");
  EXPECT_EQ(rec->last_at, kT0);
  EXPECT_EQ(rec->users.size(), 1u);
  EXPECT_FALSE(select_reminder(c, 2));  // the batch was rolled back
  // The same events again stay fine.
  insert_reminder_events(c, std::vector{event(1, 10, kT0, true), fresh});
  EXPECT_TRUE(select_reminder(c, 2));
}

TEST(ReminderStore, LastAtOnlyMovesForward) {
  PgTestSchema schema("rem_last");
  auto c = schema.connect();
  insert_reminder_events(c, std::vector{event(1, 10, kT0, true), event(1, 11, kT0 + 5min, false)});
  // A late-arriving older reminder of a new user joins but does not move last_at back.
  insert_reminder_events(c, std::vector{event(1, 12, kT0 + 1min, false)});
  auto rec = select_reminder(c, 1);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->last_at, kT0 + 5min);
  EXPECT_EQ(rec->users.size(), 3u);
}

TEST(ReminderStore, TicketListingAndUserFilter) {
  PgTestSchema schema("rem_ticket");
  auto c = schema.connect();
  insert_reminder_events(c, std::vector{event(1, 10, kT0, true), event(2, 11, kT0 + 20min, true),
                                        event(2, 12, kT0 + 21min, false)});
  ReminderEvent other = event(3, 10, kT0, true);
  other.ticket = "OTHER";
  insert_reminder_events(c, std::vector{other});

  auto all = select_ticket_reminders(c, "T-1", std::nullopt);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, 1u);
  EXPECT_EQ(all[1].id, 2u);
  EXPECT_EQ(all[1].users.size(), 2u);
  auto mine = select_ticket_reminders(c, "T-1", 12);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].id, 2u);
  EXPECT_TRUE(select_ticket_reminders(c, "T-1", 99).empty());
}

TEST(ReminderStore, AckResolveTransitions) {
  PgTestSchema schema("rem_states");
  auto c = schema.connect();
  insert_reminder_events(c, std::vector{event(1, 10, kT0, true)});

  auto nf = ack_reminder(c, 2, 7, kT0);
  ASSERT_FALSE(nf);
  EXPECT_EQ(nf.error().code, ErrorCode::not_found);

  auto acked = ack_reminder(c, 1, 7, kT0 + 1min);
  ASSERT_TRUE(acked);
  EXPECT_EQ(acked->status, ReminderStatus::acked);
  EXPECT_EQ(acked->acked_by, 7u);
  EXPECT_EQ(acked->acked_at, kT0 + 1min);
  EXPECT_EQ(acked->users.size(), 1u);

  auto twice = ack_reminder(c, 1, 8, kT0 + 2min);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::invalid_state);

  auto resolved = resolve_reminder(c, 1, kT0 + 3min);
  ASSERT_TRUE(resolved);
  EXPECT_EQ(resolved->status, ReminderStatus::resolved);
  EXPECT_EQ(resolved->resolved_at, kT0 + 3min);
  EXPECT_EQ(resolved->acked_by, 7u);
  EXPECT_EQ(resolve_reminder(c, 1, kT0).error().code, ErrorCode::invalid_state);
  EXPECT_EQ(ack_reminder(c, 1, 7, kT0).error().code, ErrorCode::invalid_state);

  // Resolving straight from open is allowed.
  insert_reminder_events(c, std::vector{event(2, 10, kT0, true)});
  EXPECT_TRUE(resolve_reminder(c, 2, kT0 + 1min));
}

TEST(ReminderStore, TwoAckersOneWinner) {
  PgTestSchema schema("rem_race");
  {
    auto c = schema.connect();
    std::vector<ReminderEvent> events;
    for (std::uint64_t id = 1; id <= 30; ++id)
      events.push_back(event(id, 10, kT0, true));
    insert_reminder_events(c, events);
  }
  std::atomic<int> wins{0}, invalid{0};
  auto racer = [&](std::uint64_t staff) {
    auto c = schema.connect();
    for (std::uint64_t id = 1; id <= 30; ++id) {
      auto r = ack_reminder(c, id, staff, kT0 + 1min);
      if (r) {
        ++wins;
        if (r->acked_by != staff) ADD_FAILURE() << "winner is not the acker";
      } else if (r.error().code == ErrorCode::invalid_state) {
        ++invalid;
      }
    }
  };
  std::thread a(racer, 1), b(racer, 2);
  a.join();
  b.join();
  EXPECT_EQ(wins, 30);
  EXPECT_EQ(invalid, 30);
}

TEST(ReminderStore, QueueOldestFirstWithCursor) {
  PgTestSchema schema("rem_queue");
  auto c = schema.connect();
  std::vector<ReminderEvent> events;
  // Ids not in time order, and two records with the same first_at.
  events.push_back(event(5, 10, kT0 + 3min, true));
  events.push_back(event(4, 10, kT0 + 1min, true));
  events.push_back(event(9, 10, kT0 + 2min, true));
  events.push_back(event(8, 10, kT0 + 2min, true));
  events.push_back(event(1, 10, kT0 + 4min, true));
  insert_reminder_events(c, events);
  ASSERT_TRUE(ack_reminder(c, 1, 7, kT0 + 5min));

  auto page1 = select_reminder_queue(c, ReminderStatus::open, 2, std::nullopt);
  ASSERT_EQ(page1.size(), 2u);
  EXPECT_EQ(page1[0].id, 4u);
  EXPECT_EQ(page1[1].id, 8u);
  auto page2 = select_reminder_queue(c, ReminderStatus::open, 2,
                                     QueueCursor{page1[1].first_at, page1[1].id});
  ASSERT_EQ(page2.size(), 2u);
  EXPECT_EQ(page2[0].id, 9u);
  EXPECT_EQ(page2[1].id, 5u);
  auto page3 = select_reminder_queue(c, ReminderStatus::open, 2,
                                     QueueCursor{page2[1].first_at, page2[1].id});
  EXPECT_TRUE(page3.empty());
  auto acked = select_reminder_queue(c, ReminderStatus::acked, 10, std::nullopt);
  ASSERT_EQ(acked.size(), 1u);
  EXPECT_EQ(acked[0].id, 1u);
}

namespace {

asio::awaitable<std::string> async_flow(PgReminderStore& store) {
  // A named vector: GCC 12 miscompiles a braced list passed straight to a coroutine.
  std::vector<ReminderEvent> events = {event(1, 10, kT0, true), event(1, 11, kT0 + 1s, false)};
  co_await store.write_reminder_events(std::move(events));
  auto listed = co_await store.list_ticket_reminders("T-1", std::nullopt);
  if (listed.size() != 1 || listed[0].users.size() != 2) co_return "list";
  auto q = co_await store.queue(ReminderStatus::open, 10, std::nullopt);
  if (q.size() != 1) co_return "queue";
  if (!co_await store.ack(1, 7, kT0 + 2s)) co_return "ack";
  if (!co_await store.resolve(1, kT0 + 3s)) co_return "resolve";
  auto found = co_await store.find_reminder(1);
  if (!found || found->status != ReminderStatus::resolved) co_return "find";
  co_return "";
}

}  // namespace

TEST(ReminderStore, AwaitableApi) {
  PgTestSchema schema("rem_async");
  PgPoolOptions options;
  options.connect = schema.options();
  options.size = 1;
  PgPool pool(options);
  PgReminderStore store(pool);
  asio::io_context io;
  auto result = asio::co_spawn(io, async_flow(store), asio::use_future);
  io.run();
  EXPECT_EQ(result.get(), "");
}

TEST(Fencing, OnlyTheNewestTokenWrites) {
  PgTestSchema schema("fencing");
  auto c = schema.connect();
  EXPECT_TRUE(advance_fencing_token(c, "sale:1", 5));
  EXPECT_TRUE(advance_fencing_token(c, "sale:1", 5));  // the same holder again
  EXPECT_FALSE(advance_fencing_token(c, "sale:1", 4));
  EXPECT_TRUE(advance_fencing_token(c, "sale:2", 1));  // resources are independent
  EXPECT_TRUE(advance_fencing_token(c, "sale:1", 6));
  EXPECT_FALSE(advance_fencing_token(c, "sale:1", 5));

  // Inside a transaction that a stale token aborts, nothing of the caller's writes remains.
  c.exec("create table guarded (v int)");
  struct Stale {};
  EXPECT_THROW(c.transaction([](PgConnection& tx) {
    tx.exec("insert into guarded values (1)");
    if (!advance_fencing_token(tx, "sale:1", 3)) throw Stale{};
  }),
               Stale);
  EXPECT_EQ(c.exec("select count(*) from guarded").int64(0, 0), 0);
  EXPECT_EQ(c.exec("select token from fencing_tokens where resource = 'sale:1'").int64(0, 0), 6);
}
