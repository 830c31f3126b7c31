#include "store/sqlite/sqlite_fenced_reminder_ledger.hpp"

#include <fmt/format.h>

#include "core/infra_error.hpp"
#include "core/reminder.hpp"
#include "store/sqlite/fencing.hpp"
#include "store/sqlite/sqlite_reminder_records.hpp"

namespace seckill::store::sqlite {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kUserLast =
    "select max(coalesce(u.last_at, u.at)) from reminder_users u join reminders r "
    "on r.id = u.reminder_id where r.ticket = ?1 and u.user_id = ?2";
// The newest record of the ticket that holds the user: where their reminder is.
constexpr std::string_view kUserRecord =
    "select r.id from reminder_users u join reminders r on r.id = u.reminder_id "
    "where r.ticket = ?1 and u.user_id = ?2 order by r.first_at desc, r.id desc limit 1";
constexpr std::string_view kNewest =
    "select id, first_at, status from reminders where ticket = ?1 "
    "order by first_at desc, id desc limit 1";

std::optional<remind::RemindDecision> remind_fenced(SqliteConnection& c,
                                                    const std::string& resource, std::int64_t token,
                                                    const std::string& ticket,
                                                    std::uint64_t user_id,
                                                    const lock::DecideReminder& decide) {
  if (!advance_fencing_token(c, resource, token)) return std::nullopt;
  lock::TicketState state;
  state.now = stored_time(std::chrono::system_clock::now());
  {
    auto last = c.query(kUserLast);
    last.bind_text(1, ticket).bind_id(2, user_id);
    if (last.step() && !last.is_null(0)) state.user_last = last.time(0);
  }
  {
    auto newest = c.query(kNewest);
    newest.bind_text(1, ticket);
    if (newest.step()) {
      state.newest_id = newest.id(0);
      state.newest_first_at = newest.time(1);
      auto status = parse_reminder_status(newest.text(2));
      if (!status)
        throw ProtocolError(fmt::format("reminder {}: unknown status", *state.newest_id));
      state.newest_status = *status;
    }
  }
  auto d = decide(state);
  if (d.outcome == remind::RemindOutcome::already_reminded) {
    auto held = c.query(kUserRecord);
    held.bind_text(1, ticket).bind_id(2, user_id);
    if (held.step()) d.reminder_id = held.id(0);
    return d;
  }
  ReminderEvent event;
  event.reminder_id = d.reminder_id;
  event.ticket = ticket;
  event.user_id = user_id;
  event.at = d.at;
  event.new_record = d.outcome == remind::RemindOutcome::opened;
  insert_reminder_events(c, std::vector<ReminderEvent>{event});
  return d;
}

}  // namespace

asio::awaitable<std::optional<remind::RemindDecision>> SqliteFencedReminderLedger::remind(
    std::string resource, std::int64_t fencing_token, std::string ticket, std::uint64_t user_id,
    lock::DecideReminder decide) {
  auto job = [resource = std::move(resource), fencing_token, ticket = std::move(ticket), user_id,
              decide = std::move(decide)](SqliteConnection& c) {
    return remind_fenced(c, resource, fencing_token, ticket, user_id, decide);
  };
  co_return co_await db_.write(std::move(job));
}

asio::awaitable<std::int64_t> SqliteFencedReminderLedger::stored_fence(std::string resource) {
  auto job = [resource = std::move(resource)](SqliteConnection& c) -> std::int64_t {
    auto q = c.query("select token from fencing_tokens where resource = ?1");
    q.bind_text(1, resource);
    return q.step() ? q.int64(0) : 0;
  };
  co_return co_await db_.read(std::move(job));
}

}  // namespace seckill::store::sqlite
