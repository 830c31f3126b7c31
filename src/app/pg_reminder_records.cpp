#include "app/pg_reminder_records.hpp"

namespace seckill::app {

namespace pg = store::postgres;

namespace {

ReminderStatus from_store(pg::ReminderStatus s) {
  switch (s) {
    case pg::ReminderStatus::open:
      return ReminderStatus::open;
    case pg::ReminderStatus::acked:
      return ReminderStatus::acked;
    case pg::ReminderStatus::resolved:
      return ReminderStatus::resolved;
  }
  return ReminderStatus::open;
}

pg::ReminderStatus to_store(ReminderStatus s) {
  switch (s) {
    case ReminderStatus::open:
      return pg::ReminderStatus::open;
    case ReminderStatus::acked:
      return pg::ReminderStatus::acked;
    case ReminderStatus::resolved:
      return pg::ReminderStatus::resolved;
  }
  return pg::ReminderStatus::open;
}

ReminderRecord from_store(pg::ReminderRecord r) {
  ReminderRecord out{.id = r.id,
                     .ticket = std::move(r.ticket),
                     .status = from_store(r.status),
                     .first_at = r.first_at,
                     .last_at = r.last_at,
                     .acked_by = r.acked_by,
                     .acked_at = r.acked_at,
                     .resolved_at = r.resolved_at,
                     .users = {}};
  out.users.reserve(r.users.size());
  for (const auto& u : r.users)
    out.users.push_back(ReminderUser{u.user_id, u.at});
  return out;
}

std::vector<ReminderRecord> from_store(std::vector<pg::ReminderRecord> records) {
  std::vector<ReminderRecord> out;
  out.reserve(records.size());
  for (auto& r : records)
    out.push_back(from_store(std::move(r)));
  return out;
}

std::expected<ReminderRecord, Failure> from_store(std::expected<pg::ReminderRecord, Failure> r) {
  if (!r) return std::unexpected(std::move(r.error()));
  return from_store(std::move(*r));
}

}  // namespace

boost::asio::awaitable<void> PgReminderRecords::write(std::vector<ReminderEvent> events) {
  std::vector<pg::ReminderEvent> rows;
  rows.reserve(events.size());
  for (auto& e : events) {
    rows.push_back(pg::ReminderEvent{.reminder_id = e.reminder_id,
                                     .ticket = std::move(e.ticket),
                                     .user_id = e.user_id,
                                     .at = e.at,
                                     .new_record = e.new_record});
  }
  co_await store_.write_reminder_events(std::move(rows));
}

boost::asio::awaitable<std::vector<ReminderRecord>> PgReminderRecords::list_ticket(
    std::string ticket, std::optional<std::uint64_t> only_user) {
  co_return from_store(co_await store_.list_ticket_reminders(std::move(ticket), only_user));
}

boost::asio::awaitable<std::vector<ReminderRecord>> PgReminderRecords::queue(
    ReminderStatus status, int limit, std::optional<ReminderCursor> after) {
  std::optional<pg::QueueCursor> cursor;
  if (after) cursor = pg::QueueCursor{after->first_at, after->id};
  co_return from_store(co_await store_.queue(to_store(status), limit, cursor));
}

boost::asio::awaitable<std::expected<ReminderRecord, Failure>> PgReminderRecords::ack(
    std::uint64_t id, std::uint64_t staff_id, SysTime at) {
  co_return from_store(co_await store_.ack(id, staff_id, at));
}

boost::asio::awaitable<std::expected<ReminderRecord, Failure>> PgReminderRecords::resolve(
    std::uint64_t id, SysTime at) {
  co_return from_store(co_await store_.resolve(id, at));
}

}  // namespace seckill::app
