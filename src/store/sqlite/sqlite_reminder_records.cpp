#include "store/sqlite/sqlite_reminder_records.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/sqlite/read_snapshot.hpp"
#include "store/sqlite/sale_tables.hpp"

namespace seckill::store::sqlite {

namespace {

#define SECKILL_REMINDER_COLUMNS \
  "id, ticket, status, first_at, last_at, acked_by, acked_at, resolved_at"

// A replayed event changes nothing: the record is created once (first_at only moves back,
// last_at only forward), a user is added once with the time of their first reminder (`at`),
// and `last_at` keeps their latest, from which a restart counts the user's window.
constexpr std::string_view kUpsertRecord =
    "insert into reminders (id, ticket, status, first_at, last_at) values (?1, ?2, 'open', ?3, ?3) "
    "on conflict (id) do update set last_at = max(last_at, excluded.last_at), "
    "first_at = min(first_at, excluded.first_at) where ticket = excluded.ticket";
constexpr std::string_view kSelectTicketOf = "select ticket from reminders where id = ?1";
constexpr std::string_view kInsertUser =
    "insert into reminder_users (reminder_id, user_id, at, last_at) values (?1, ?2, ?3, ?3) "
    "on conflict (reminder_id, user_id) do update set "
    "last_at = max(coalesce(last_at, at), excluded.at)";
constexpr std::string_view kSelectReminder =
    "select " SECKILL_REMINDER_COLUMNS " from reminders where id = ?1";
// ?2 unbound (NULL): every record of the ticket.
constexpr std::string_view kSelectTicket =
    "select " SECKILL_REMINDER_COLUMNS
    " from reminders where ticket = ?1 and (?2 is null or exists (select 1 from reminder_users u "
    "where u.reminder_id = reminders.id and u.user_id = ?2)) order by first_at, id";
// ?3, ?4 unbound (NULL): from the start.
constexpr std::string_view kSelectQueue =
    "select " SECKILL_REMINDER_COLUMNS
    " from reminders where status = ?1 and (?3 is null or (first_at, id) > (?3, ?4)) "
    "order by first_at, id limit ?2";
constexpr std::string_view kSelectSince =
    "select " SECKILL_REMINDER_COLUMNS " from reminders where first_at >= ?1 order by first_at, id";
constexpr std::string_view kSelectUsers =
    "select user_id, at from reminder_users where reminder_id = ?1 order by at, user_id";
// For rebuilding the gate: each user's latest reminder on the record.
constexpr std::string_view kSelectUsersLatest =
    "select user_id, coalesce(last_at, at) from reminder_users where reminder_id = ?1 "
    "order by at, user_id";
constexpr std::string_view kAck =
    "update reminders set status = 'acked', acked_by = ?2, acked_at = ?3 "
    "where id = ?1 and status = 'open'";
constexpr std::string_view kResolve =
    "update reminders set status = 'resolved', resolved_at = ?2 "
    "where id = ?1 and status in ('open', 'acked')";

std::optional<SysTime> optional_time(const Query& q, int column) {
  if (q.is_null(column)) return std::nullopt;
  return q.time(column);
}

std::vector<ReminderRecord> read_records(Query& q) {
  std::vector<ReminderRecord> out;
  while (q.step()) {
    ReminderRecord r;
    r.id = q.id(0);
    r.ticket = q.text(1);
    auto status = parse_reminder_status(q.text(2));
    if (!status) throw ProtocolError(fmt::format("reminder {}: unknown status", r.id));
    r.status = *status;
    r.first_at = q.time(3);
    r.last_at = q.time(4);
    if (!q.is_null(5)) r.acked_by = q.id(5);
    r.acked_at = optional_time(q, 6);
    r.resolved_at = optional_time(q, 7);
    out.push_back(std::move(r));
  }
  return out;
}

void load_users(SqliteConnection& c, std::vector<ReminderRecord>& records,
                std::string_view select = kSelectUsers) {
  for (auto& r : records) {
    auto q = c.query(select);
    q.bind_id(1, r.id);
    while (q.step())
      r.users.push_back(ReminderUser{q.id(0), q.time(1)});
  }
}

std::expected<ReminderRecord, Failure> transition(SqliteConnection& c, std::uint64_t id,
                                                  std::int64_t changed, std::string_view verb) {
  auto record = select_reminder(c, id);
  if (!record) return std::unexpected(Failure{ErrorCode::not_found, "no such reminder", {}});
  if (changed == 0) {
    return std::unexpected(
        Failure{ErrorCode::invalid_state, fmt::format("the reminder cannot be {} now", verb), {}});
  }
  return std::move(*record);
}

}  // namespace

namespace {

// The record upsert changed nothing: the record exists under another ticket (an id issued twice).
// Refused loudly rather than merged into another ticket's record.
void refuse_reused_id(SqliteConnection& c, const ReminderEvent& e) {
  auto q = c.query(kSelectTicketOf);
  q.bind_id(1, e.reminder_id);
  if (!q.step()) return;
  auto stored = q.text(0);
  if (stored == e.ticket) return;
  auto message = fmt::format(
      "reminder id {} is stored for ticket {}, and this reminder is on ticket {}: an id was "
      "issued twice; the reminder is refused, not stored",
      e.reminder_id, stored, e.ticket);
  spdlog::error("{}", message);
  throw SqliteError(message, SQLITE_CONSTRAINT_PRIMARYKEY);
}

}  // namespace

void insert_reminder_events(SqliteConnection& c, const std::vector<ReminderEvent>& events) {
  std::uint64_t max_id = 0;
  for (const auto& e : events) {
    auto upserted = c.query(kUpsertRecord)
                        .bind_id(1, e.reminder_id)
                        .bind_text(2, e.ticket)
                        .bind_time(3, e.at)
                        .run();
    if (upserted == 0) refuse_reused_id(c, e);
    c.query(kInsertUser).bind_id(1, e.reminder_id).bind_id(2, e.user_id).bind_time(3, e.at).run();
    max_id = std::max(max_id, e.reminder_id);
  }
  if (max_id != 0) raise_max_id(c, max_id);
}

std::optional<ReminderRecord> select_reminder(SqliteConnection& c, std::uint64_t id) {
  return read_snapshot(c, [&]() -> std::optional<ReminderRecord> {
    auto q = c.query(kSelectReminder);
    q.bind_id(1, id);
    auto records = read_records(q);
    if (records.empty()) return std::nullopt;
    load_users(c, records);
    return std::move(records.front());
  });
}

std::vector<ReminderRecord> select_ticket_reminders(SqliteConnection& c, const std::string& ticket,
                                                    std::optional<std::uint64_t> only_user) {
  return read_snapshot(c, [&] {
    std::vector<ReminderRecord> records;
    {
      auto q = c.query(kSelectTicket);
      q.bind_text(1, ticket);
      if (only_user) q.bind_id(2, *only_user);
      records = read_records(q);
    }
    load_users(c, records);
    return records;
  });
}

std::vector<ReminderRecord> select_reminder_queue(SqliteConnection& c, ReminderStatus status,
                                                  int limit, std::optional<ReminderCursor> after) {
  return read_snapshot(c, [&] {
    std::vector<ReminderRecord> records;
    {
      auto q = c.query(kSelectQueue);
      q.bind_text(1, to_string(status)).bind(2, limit);
      if (after) q.bind_time(3, after->first_at).bind_id(4, after->id);
      records = read_records(q);
    }
    load_users(c, records);
    return records;
  });
}

std::vector<ReminderRecord> select_reminders_since(SqliteConnection& c, SysTime since) {
  return read_snapshot(c, [&] {
    std::vector<ReminderRecord> records;
    {
      auto q = c.query(kSelectSince);
      q.bind_time(1, since);
      records = read_records(q);
    }
    load_users(c, records, kSelectUsersLatest);
    return records;
  });
}

std::expected<ReminderRecord, Failure> ack_reminder(SqliteConnection& c, std::uint64_t id,
                                                    std::uint64_t staff_id, SysTime at) {
  auto changed = c.query(kAck).bind_id(1, id).bind_id(2, staff_id).bind_time(3, at).run();
  return transition(c, id, changed, "acked");
}

std::expected<ReminderRecord, Failure> resolve_reminder(SqliteConnection& c, std::uint64_t id,
                                                        SysTime at) {
  auto changed = c.query(kResolve).bind_id(1, id).bind_time(2, at).run();
  return transition(c, id, changed, "resolved");
}

boost::asio::awaitable<void> SqliteReminderRecords::write(std::vector<ReminderEvent> events) {
  if (events.empty()) co_return;
  auto job = [events = std::move(events)](SqliteConnection& c) {
    insert_reminder_events(c, events);
  };
  co_await db_.write(std::move(job));
}

boost::asio::awaitable<std::vector<ReminderRecord>> SqliteReminderRecords::list_ticket(
    std::string ticket, std::optional<std::uint64_t> only_user) {
  auto job = [ticket = std::move(ticket), only_user](SqliteConnection& c) {
    return select_ticket_reminders(c, ticket, only_user);
  };
  co_return co_await db_.read(std::move(job));
}

boost::asio::awaitable<std::vector<ReminderRecord>> SqliteReminderRecords::queue(
    ReminderStatus status, int limit, std::optional<ReminderCursor> after) {
  auto job = [status, limit, after](SqliteConnection& c) {
    return select_reminder_queue(c, status, limit, after);
  };
  co_return co_await db_.read(std::move(job));
}

boost::asio::awaitable<std::expected<ReminderRecord, Failure>> SqliteReminderRecords::ack(
    std::uint64_t id, std::uint64_t staff_id, SysTime at) {
  // On the writer: the UPDATE and the read of its outcome in one transaction.
  auto job = [id, staff_id, at](SqliteConnection& c) { return ack_reminder(c, id, staff_id, at); };
  co_return co_await db_.write(std::move(job));
}

boost::asio::awaitable<std::expected<ReminderRecord, Failure>> SqliteReminderRecords::resolve(
    std::uint64_t id, SysTime at) {
  auto job = [id, at](SqliteConnection& c) { return resolve_reminder(c, id, at); };
  co_return co_await db_.write(std::move(job));
}

std::vector<ReminderRecord> SqliteReminderRecords::records_since_now(SysTime since) {
  return db_.read_now([since](SqliteConnection& c) { return select_reminders_since(c, since); });
}

}  // namespace seckill::store::sqlite
