#include "store/postgres/pg_fenced_reminder_ledger.hpp"

#include <fmt/format.h>

#include "core/infra_error.hpp"
#include "core/reminder.hpp"
#include "store/postgres/fencing.hpp"
#include "store/postgres/pg_time.hpp"
#include "store/postgres/reminder_store.hpp"

namespace seckill::store::postgres {

namespace asio = boost::asio;

namespace {

// The store's clock, the user's last reminder and the ticket's newest record, in one round trip.
constexpr PgStatement kState{
    "fenced_remind_state",
    "select " SECKILL_PG_MICROS("clock_timestamp()") ", "
    "(select " SECKILL_PG_MICROS("last_at") " from reminder_user_windows "
    "where ticket = $1 and user_id = $2), r.id, " SECKILL_PG_MICROS("r.first_at") ", r.status "
    "from (select 1) one left join lateral (select id, first_at, status from reminders "
    "where ticket = $1 "
    "order by first_at desc, id desc limit 1) r on true"};
// The newest record of the ticket that holds the user: where their reminder is.
constexpr PgStatement kUserRecord{
    "fenced_remind_user_record",
    "select r.id from reminder_users u join reminders r on r.id = u.reminder_id "
    "where r.ticket = $1 and u.user_id = $2 order by r.first_at desc, r.id desc limit 1"};
constexpr PgStatement kStoredFence{"fenced_remind_stored_fence",
                                   "select token from fencing_tokens where resource = $1"};
constexpr PgStatement kUserWindow{"fenced_remind_user_window",
                                  "insert into reminder_user_windows (ticket, user_id, last_at) "
                                  "values ($1, $2, $3) on conflict (ticket, user_id) do update "
                                  "set last_at = greatest(reminder_user_windows.last_at, "
                                  "excluded.last_at)"};

std::optional<remind::RemindDecision> remind_fenced(PgConnection& c, const std::string& resource,
                                                    std::int64_t token, const std::string& ticket,
                                                    std::uint64_t user_id,
                                                    const lock::DecideReminder& decide) {
  return c.transaction([&](PgConnection& tx) -> std::optional<remind::RemindDecision> {
    if (!advance_fencing_token(tx, resource, token)) return std::nullopt;
    lock::TicketState state;
    auto row = tx.exec(kState, {ticket, user_id});
    state.now = row.time(0, 0);
    if (!row.is_null(0, 1)) state.user_last = row.time(0, 1);
    if (!row.is_null(0, 2)) {
      state.newest_id = row.id(0, 2);
      state.newest_first_at = row.time(0, 3);
      auto status = seckill::parse_reminder_status(row.text(0, 4));
      if (!status)
        throw ProtocolError(fmt::format("reminder {}: unknown status", *state.newest_id));
      state.newest_status = *status;
    }
    auto d = decide(state);
    if (d.outcome == remind::RemindOutcome::already_reminded) {
      if (auto held = tx.exec(kUserRecord, {ticket, user_id}); held.rows() > 0) {
        d.reminder_id = held.id(0, 0);
      }
      return d;
    }
    ReminderEvent event;
    event.reminder_id = d.reminder_id;
    event.ticket = ticket;
    event.user_id = user_id;
    event.at = d.at;
    event.new_record = d.outcome == remind::RemindOutcome::opened;
    insert_reminder_events(tx, std::span<const ReminderEvent>(&event, 1));
    tx.exec(kUserWindow, {ticket, user_id, d.at});
    return d;
  });
}

}  // namespace

asio::awaitable<std::optional<remind::RemindDecision>> PgFencedReminderLedger::remind(
    std::string resource, std::int64_t fencing_token, std::string ticket, std::uint64_t user_id,
    lock::DecideReminder decide) {
  auto job = [resource = std::move(resource), fencing_token, ticket = std::move(ticket), user_id,
              decide = std::move(decide)](PgConnection& c) {
    return remind_fenced(c, resource, fencing_token, ticket, user_id, decide);
  };
  co_return co_await pool_.run(std::move(job));
}

asio::awaitable<std::int64_t> PgFencedReminderLedger::stored_fence(std::string resource) {
  auto job = [resource = std::move(resource)](PgConnection& c) -> std::int64_t {
    auto row = c.exec(kStoredFence, {resource});
    return row.rows() > 0 ? row.int64(0, 0) : 0;
  };
  co_return co_await pool_.run(std::move(job));
}

}  // namespace seckill::store::postgres
