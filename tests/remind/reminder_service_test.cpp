#include "remind/reminder_service.hpp"

#include <map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

// The use case against in-process stand-ins (the Redis script and the PostgreSQL store have
// their own live tests: tests/system/remind_systest.cpp, tests/store/reminder_store_pgtest.cpp).

namespace asio = boost::asio;
using namespace seckill;
using namespace seckill::remind;
using namespace std::chrono_literals;

namespace {

class CountingIds : public IdSource {
 public:
  asio::awaitable<std::uint64_t> next_id() override { co_return ++last; }
  std::uint64_t last = 1000;
};

// The rules of remind.lua, on a fake clock, without the stream.
class TableGate : public ReminderGate {
 public:
  explicit TableGate(ReminderWindows w, const SysTime& now) : windows_(w), now_(now) {}
  asio::awaitable<RemindDecision> remind(std::string ticket, std::uint64_t user,
                                         std::uint64_t new_id) override {
    ++calls;
    RemindDecision d;
    d.at = now_;
    auto key = std::make_pair(ticket, user);
    if (auto it = user_until_.find(key); it != user_until_.end() && now_ < it->second) {
      d.outcome = RemindOutcome::already_reminded;
      d.retry_after = std::chrono::duration_cast<std::chrono::milliseconds>(it->second - now_);
      d.reminder_id = user_record_[key];
      co_return d;
    }
    auto& open = open_[ticket];
    if (open.first != 0 && now_ < open.second + windows_.record) {
      d.outcome = RemindOutcome::joined;
      d.reminder_id = open.first;
    } else {
      open = {new_id, now_};
      d.outcome = RemindOutcome::opened;
      d.reminder_id = new_id;
    }
    user_until_[key] = now_ + windows_.user;
    user_record_[key] = d.reminder_id;
    co_return d;
  }
  asio::awaitable<void> close(std::string ticket, std::uint64_t record_id) override {
    closed.emplace_back(ticket, record_id);
    if (auto it = open_.find(ticket); it != open_.end() && it->second.first == record_id) {
      open_.erase(it);
    }
    co_return;
  }
  int calls = 0;
  std::vector<std::pair<std::string, std::uint64_t>> closed;

 private:
  ReminderWindows windows_;
  const SysTime& now_;
  std::map<std::pair<std::string, std::uint64_t>, SysTime> user_until_;
  std::map<std::pair<std::string, std::uint64_t>, std::uint64_t> user_record_;
  std::map<std::string, std::pair<std::uint64_t, SysTime>> open_;
};

class TableRecords : public ReminderRecords {
 public:
  asio::awaitable<void> write(std::vector<ReminderEvent>) override { co_return; }
  asio::awaitable<std::vector<ReminderRecord>> list_ticket(
      std::string ticket, std::optional<std::uint64_t> only_user) override {
    last_ticket = ticket;
    last_user = only_user;
    co_return std::vector<ReminderRecord>{};
  }
  asio::awaitable<std::vector<ReminderRecord>> queue(ReminderStatus, int limit,
                                                     std::optional<ReminderCursor>) override {
    std::vector<ReminderRecord> out;
    for (int i = 0; i < std::min(limit, stored); ++i) {
      ReminderRecord r;
      r.id = static_cast<std::uint64_t>(i + 1);
      out.push_back(r);
    }
    co_return out;
  }
  asio::awaitable<std::expected<ReminderRecord, Failure>> ack(std::uint64_t, std::uint64_t,
                                                              SysTime) override {
    co_return std::unexpected(Failure{ErrorCode::not_found, "no such reminder", {}});
  }
  asio::awaitable<std::expected<ReminderRecord, Failure>> resolve(std::uint64_t id,
                                                                  SysTime at) override {
    if (id != resolvable) {
      co_return std::unexpected(Failure{ErrorCode::not_found, "no such reminder", {}});
    }
    ReminderRecord r;
    r.id = id;
    r.ticket = "T-1";
    r.status = ReminderStatus::resolved;
    r.resolved_at = at;
    co_return r;
  }
  std::uint64_t resolvable = 0;
  std::string last_ticket;
  std::optional<std::uint64_t> last_user;
  int stored = 0;
};

template <class T>
T run(asio::awaitable<T> a) {
  asio::io_context io;
  auto f = asio::co_spawn(io, std::move(a), asio::use_future);
  io.run();
  return f.get();
}

struct Fixture : ::testing::Test {
  SysTime now{std::chrono::hours(500'000)};
  TableGate gate{ReminderWindows{6s, 2s}, now};
  TableRecords records;
  CountingIds ids;
  ReminderService service{gate, records, ids, [this] { return now; }, 30min};
};

}  // namespace

TEST_F(Fixture, FirstOpensThenOthersJoinThenTheWindowEnds) {
  auto a = run(service.remind(1, "T-1"));
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(a->new_record);
  auto b = run(service.remind(2, "T-1"));
  ASSERT_TRUE(b.has_value());
  EXPECT_FALSE(b->new_record);
  EXPECT_EQ(b->reminder_id, a->reminder_id);
  now += 6s;
  auto c = run(service.remind(3, "T-1"));
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(c->new_record);
  EXPECT_NE(c->reminder_id, a->reminder_id);
}

TEST_F(Fixture, ARepeatInsideTheUserWindowIsAlreadyRemindedWithRetryAfter) {
  ASSERT_TRUE(run(service.remind(1, "T-1")).has_value());
  now += 500ms;
  auto again = run(service.remind(1, "T-1"));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::already_reminded);
  EXPECT_EQ(again.error().retry_after_s, 2);
  // After the user window but inside the record window: the same record again.
  now += 1600ms;
  auto later = run(service.remind(1, "T-1"));
  ASSERT_TRUE(later.has_value());
  EXPECT_FALSE(later->new_record);
}

// A client that lost its 201 asks again and learns which record it is in (CONTRACT.md,
// "Errors"), from the coordinator and from this instance's memory of recent refusals alike.
TEST_F(Fixture, AlreadyRemindedCarriesTheRecordTheUserIsIn) {
  auto first = run(service.remind(1, "T-1"));
  ASSERT_TRUE(first.has_value());
  auto again = run(service.remind(1, "T-1"));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().reminder_id, std::optional<std::uint64_t>(first->reminder_id));
  const int calls = gate.calls;
  auto local = run(service.remind(1, "T-1"));
  ASSERT_FALSE(local.has_value());
  EXPECT_EQ(gate.calls, calls) << "answered from memory";
  EXPECT_EQ(local.error().reminder_id, std::optional<std::uint64_t>(first->reminder_id));
  EXPECT_TRUE(local.error().retry_after_s.has_value());
}

TEST_F(Fixture, ABadTicketIsRefusedBeforeTheCoordinatorIsAsked) {
  for (const char* bad : {"", "a b", "x:y"}) {
    auto r = run(service.remind(1, bad));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::bad_request);
    auto l = run(service.ticket_reminders(bad, std::nullopt));
    ASSERT_FALSE(l.has_value());
    EXPECT_EQ(l.error().code, ErrorCode::bad_request);
  }
  EXPECT_EQ(gate.calls, 0);
}

TEST_F(Fixture, AUserListsOnlyTheirOwnRecords) {
  ASSERT_TRUE(run(service.ticket_reminders("T-9", 42)).has_value());
  EXPECT_EQ(records.last_ticket, "T-9");
  EXPECT_EQ(records.last_user, std::optional<std::uint64_t>(42));
}

TEST_F(Fixture, AFullPageHasACursorTheLastDoesNot) {
  records.stored = 3;
  auto full = run(service.queue(ReminderStatus::open, 3, std::nullopt));
  ASSERT_TRUE(full.has_value());
  ASSERT_TRUE(full->next.has_value());
  EXPECT_EQ(full->next->id, 3u);
  auto last = run(service.queue(ReminderStatus::open, 5, std::nullopt));
  ASSERT_TRUE(last.has_value());
  EXPECT_FALSE(last->next.has_value());
  for (int bad : {0, -1, kMaxQueueLimit + 1}) {
    auto r = run(service.queue(ReminderStatus::open, bad, std::nullopt));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::bad_request);
  }
}

TEST_F(Fixture, StaffActionsOnARecordNotYetStoredAreNotFound) {
  auto a = run(service.ack(12345, 9));
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().code, ErrorCode::not_found);
}

// A resolved record collects no more reminders (core/reminder.hpp): the use case closes it in
// the coordinator once the store resolved it, so the ticket's next reminder opens a new record.
TEST_F(Fixture, AReminderAfterAResolveOpensANewRecord) {
  auto first = run(service.remind(1, "T-1"));
  ASSERT_TRUE(first.has_value());
  records.resolvable = first->reminder_id;
  ASSERT_TRUE(run(service.resolve(first->reminder_id)).has_value());
  EXPECT_EQ(gate.closed,
            (std::vector<std::pair<std::string, std::uint64_t>>{{"T-1", first->reminder_id}}));
  now += 1s;  // inside the record window
  auto next = run(service.remind(2, "T-1"));
  ASSERT_TRUE(next.has_value());
  EXPECT_TRUE(next->new_record);
  EXPECT_NE(next->reminder_id, first->reminder_id);
}

TEST_F(Fixture, AResolveRefusedByTheStoreClosesNothing) {
  ASSERT_TRUE(run(service.remind(1, "T-1")).has_value());
  EXPECT_FALSE(run(service.resolve(12345)).has_value());
  EXPECT_TRUE(gate.closed.empty());
}
