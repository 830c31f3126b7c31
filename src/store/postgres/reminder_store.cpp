#include "store/postgres/reminder_store.hpp"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/postgres/pg_time.hpp"

namespace seckill::store::postgres {

namespace {

#define SECKILL_REMINDER_COLUMNS \
  "id, ticket, status, " SECKILL_PG_MICROS("first_at") ", " SECKILL_PG_MICROS(                   \
      "last_at") ", acked_by, " SECKILL_PG_MICROS("acked_at") ", " SECKILL_PG_MICROS("resolved_" \
                                                                                     "at")

// Records first, in id order (the row locks follow), then users; each `on conflict` makes a
// replay a no-op. `greatest`/`least` keep the times moving one way only.
constexpr PgStatement kUpsertRecords{"reminder_upsert_records", R"(
insert into reminders (id, ticket, status, first_at, last_at)
select id, min(ticket), 'open', min(at), max(at)
from unnest($1::bigint[], $2::text[], $3::timestamptz[]) as t(id, ticket, at)
group by id order by id
on conflict (id) do update
  set last_at = greatest(reminders.last_at, excluded.last_at),
      first_at = least(reminders.first_at, excluded.first_at)
  where reminders.ticket = excluded.ticket)"};
// Also answers the first event whose record id is stored for another ticket (a reused id: the
// upsert above left that record alone; the caller rolls the batch back and refuses it). A
// second statement, so it sees a record another batch committed while the upsert waited on it.
constexpr PgStatement kInsertUsers{"reminder_insert_users", R"(
with foreign_record as (
  select t.id, r.ticket as stored, t.ticket
  from unnest($1::bigint[], $4::text[]) as t(id, ticket)
  join reminders r on r.id = t.id
  where r.ticket <> t.ticket
  order by t.id limit 1
),
inserted as (
  insert into reminder_users (reminder_id, user_id, at)
  select id, user_id, min(at)
  from unnest($1::bigint[], $2::bigint[], $3::timestamptz[]) as t(id, user_id, at)
  group by id, user_id order by id, user_id
  on conflict do nothing
)
select id, stored, ticket from foreign_record)"};

constexpr PgStatement kSelectReminder{
    "reminder_select", "select " SECKILL_REMINDER_COLUMNS " from reminders where id = $1"};
constexpr PgStatement kSelectTicket{"reminder_select_ticket",
                                    "select " SECKILL_REMINDER_COLUMNS
                                    " from reminders where ticket = $1 and ($2::bigint is null or "
                                    "exists (select 1 from reminder_users u where u.reminder_id = "
                                    "reminders.id and u.user_id = $2)) order by first_at, id"};
constexpr PgStatement kSelectQueue{
    "reminder_select_queue",
    "select " SECKILL_REMINDER_COLUMNS
    " from reminders where status = $1 and ($3::timestamptz is null or (first_at, id) > ($3, "
    "$4::bigint)) order by first_at, id limit $2"};
constexpr PgStatement kSelectUsers{
    "reminder_select_users",
    "select reminder_id, user_id, " SECKILL_PG_MICROS(
        "at") " from reminder_users where reminder_id = any($1::bigint[]) order by at, user_id"};
constexpr PgStatement kAck{"reminder_ack",
                           "update reminders set status = 'acked', acked_by = $2, acked_at = $3 "
                           "where id = $1 and status = 'open' returning " SECKILL_REMINDER_COLUMNS};
constexpr PgStatement kResolve{
    "reminder_resolve",
    "update reminders set status = 'resolved', resolved_at = $2 "
    "where id = $1 and status in ('open', 'acked') returning " SECKILL_REMINDER_COLUMNS};

std::optional<SysTime> optional_time(const PgResult& r, int row, int col) {
  if (r.is_null(row, col)) return std::nullopt;
  return r.time(row, col);
}

std::vector<ReminderRecord> read_records(const PgResult& r) {
  std::vector<ReminderRecord> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    ReminderRecord rec;
    rec.id = r.id(i, 0);
    rec.ticket = std::string(r.text(i, 1));
    auto status = parse_reminder_status(r.text(i, 2));
    if (!status) throw ProtocolError(fmt::format("reminder {}: unknown status", rec.id));
    rec.status = *status;
    rec.first_at = r.time(i, 3);
    rec.last_at = r.time(i, 4);
    if (!r.is_null(i, 5)) rec.acked_by = r.id(i, 5);
    rec.acked_at = optional_time(r, i, 6);
    rec.resolved_at = optional_time(r, i, 7);
    out.push_back(std::move(rec));
  }
  return out;
}

/// Fills in the users of `records` with one more query.
void load_users(PgConnection& c, std::vector<ReminderRecord>& records) {
  if (records.empty()) return;
  PgArrayBuilder ids;
  std::unordered_map<std::uint64_t, ReminderRecord*> by_id;
  for (auto& rec : records) {
    ids.add(rec.id);
    by_id.emplace(rec.id, &rec);
  }
  auto r = c.exec(kSelectUsers, {std::move(ids).finish()});
  for (int i = 0; i < r.rows(); ++i) {
    auto it = by_id.find(r.id(i, 0));
    if (it != by_id.end()) it->second->users.push_back({r.id(i, 1), r.time(i, 2)});
  }
}

std::expected<ReminderRecord, Failure> transition(PgConnection& c, std::uint64_t id,
                                                  PgResult updated, std::string_view verb) {
  auto records = read_records(updated);
  if (records.empty()) {
    if (!select_reminder(c, id)) {
      return std::unexpected(Failure{ErrorCode::not_found, "no such reminder", std::nullopt});
    }
    return std::unexpected(Failure{ErrorCode::invalid_state,
                                   fmt::format("the reminder cannot be {} now", verb),
                                   std::nullopt});
  }
  load_users(c, records);
  return std::move(records.front());
}

}  // namespace

std::string_view to_string(ReminderStatus s) {
  switch (s) {
    case ReminderStatus::open:
      return "open";
    case ReminderStatus::acked:
      return "acked";
    case ReminderStatus::resolved:
      return "resolved";
  }
  return "open";
}

std::optional<ReminderStatus> parse_reminder_status(std::string_view s) {
  if (s == "open") return ReminderStatus::open;
  if (s == "acked") return ReminderStatus::acked;
  if (s == "resolved") return ReminderStatus::resolved;
  return std::nullopt;
}

void insert_reminder_events(PgConnection& c, std::span<const ReminderEvent> events) {
  if (events.empty()) return;
  PgArrayBuilder ids, tickets, users, times;
  for (const auto& e : events) {
    ids.add(e.reminder_id);
    tickets.add_text(e.ticket);
    users.add(e.user_id);
    times.add(e.at);
  }
  auto id_array = std::move(ids).finish();
  auto time_array = std::move(times).finish();
  auto ticket_array = std::move(tickets).finish();
  c.transaction([&](PgConnection& tx) {
    tx.exec(kUpsertRecords, {id_array, ticket_array, time_array});
    auto foreign =
        tx.exec(kInsertUsers, {id_array, std::move(users).finish(), time_array, ticket_array});
    if (foreign.rows() == 0) return;
    auto message = fmt::format(
        "reminder id {} is stored for ticket {}, and this reminder is on ticket {}: an id was "
        "issued twice (the id counter lost?); the reminder is refused, not stored",
        foreign.id(0, 0), foreign.text(0, 1), foreign.text(0, 2));
    spdlog::error("{}", message);
    // Thrown inside the transaction: it is rolled back, nothing of the batch is stored.
    throw PgError(message, std::string(kUniqueViolation));
  });
}

std::optional<ReminderRecord> select_reminder(PgConnection& c, std::uint64_t id) {
  auto records = read_records(c.exec(kSelectReminder, {id}));
  if (records.empty()) return std::nullopt;
  load_users(c, records);
  return std::move(records.front());
}

std::vector<ReminderRecord> select_ticket_reminders(PgConnection& c, std::string_view ticket,
                                                    std::optional<std::uint64_t> user) {
  auto records = read_records(c.exec(kSelectTicket, {ticket, user}));
  load_users(c, records);
  return records;
}

std::vector<ReminderRecord> select_reminder_queue(PgConnection& c, ReminderStatus status, int limit,
                                                  std::optional<QueueCursor> after) {
  std::optional<SysTime> after_time;
  std::optional<std::uint64_t> after_id;
  if (after) {
    after_time = after->first_at;
    after_id = after->id;
  }
  auto records = read_records(
      c.exec(kSelectQueue, {to_string(status), std::max(limit, 0), after_time, after_id}));
  load_users(c, records);
  return records;
}

std::expected<ReminderRecord, Failure> ack_reminder(PgConnection& c, std::uint64_t id,
                                                    std::uint64_t staff_id, SysTime at) {
  return transition(c, id, c.exec(kAck, {id, staff_id, at}), "acked");
}

std::expected<ReminderRecord, Failure> resolve_reminder(PgConnection& c, std::uint64_t id,
                                                        SysTime at) {
  return transition(c, id, c.exec(kResolve, {id, at}), "resolved");
}

boost::asio::awaitable<void> PgReminderStore::write_reminder_events(
    std::vector<ReminderEvent> events) {
  auto job = [events = std::move(events)](PgConnection& c) {
    try {
      insert_reminder_events(c, events);
    } catch (const PgError& e) {
      throw_for_writer(e);  // a read-only store after a failover is an outage, not poison
    }
  };
  co_await pool_.run(std::move(job));
}

boost::asio::awaitable<std::optional<ReminderRecord>> PgReminderStore::find_reminder(
    std::uint64_t id) {
  auto job = [id](PgConnection& c) { return select_reminder(c, id); };
  co_return co_await pool_.run(std::move(job));
}

boost::asio::awaitable<std::vector<ReminderRecord>> PgReminderStore::list_ticket_reminders(
    std::string ticket, std::optional<std::uint64_t> user) {
  auto job = [ticket = std::move(ticket), user](PgConnection& c) {
    return select_ticket_reminders(c, ticket, user);
  };
  co_return co_await pool_.run(std::move(job));
}

boost::asio::awaitable<std::vector<ReminderRecord>> PgReminderStore::queue(
    ReminderStatus status, int limit, std::optional<QueueCursor> after) {
  auto job = [status, limit, after](PgConnection& c) {
    return select_reminder_queue(c, status, limit, after);
  };
  co_return co_await pool_.run(std::move(job));
}

boost::asio::awaitable<std::expected<ReminderRecord, Failure>> PgReminderStore::ack(
    std::uint64_t id, std::uint64_t staff_id, SysTime at) {
  auto job = [id, staff_id, at](PgConnection& c) { return ack_reminder(c, id, staff_id, at); };
  co_return co_await pool_.run(std::move(job));
}

boost::asio::awaitable<std::expected<ReminderRecord, Failure>> PgReminderStore::resolve(
    std::uint64_t id, SysTime at) {
  auto job = [id, at](PgConnection& c) { return resolve_reminder(c, id, at); };
  co_return co_await pool_.run(std::move(job));
}

}  // namespace seckill::store::postgres
