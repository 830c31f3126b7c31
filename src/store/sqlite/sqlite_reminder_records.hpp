#pragma once
// Reminders' system of record (remind/reminder_records.hpp) in the embedded SQLite store, with
// the same semantics as the PostgreSQL one: writing events is idempotent (a record is created
// once, a user added once, last_at only moves forward), and ack/resolve are single conditional
// UPDATEs on the writer thread, so of two staff racing one wins and the other gets
// `invalid_state`. Plus what the embedded reminder gate is rebuilt from at start. Only app/ and
// the embedded mode name this type.

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/reminder.hpp"
#include "remind/reminder_records.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace seckill::store::sqlite {

/// Blocking functions on a connection, for the writer (inside its transaction) and readers.
/// Throws SqliteError.
void insert_reminder_events(SqliteConnection& c, const std::vector<ReminderEvent>& events);
std::optional<ReminderRecord> select_reminder(SqliteConnection& c, std::uint64_t id);
std::vector<ReminderRecord> select_ticket_reminders(SqliteConnection& c, const std::string& ticket,
                                                    std::optional<std::uint64_t> only_user);
std::vector<ReminderRecord> select_reminder_queue(SqliteConnection& c, ReminderStatus status,
                                                  int limit, std::optional<ReminderCursor> after);
/// Every record whose first_at is at or after `since`, oldest first, with its users.
std::vector<ReminderRecord> select_reminders_since(SqliteConnection& c, SysTime since);
std::expected<ReminderRecord, Failure> ack_reminder(SqliteConnection& c, std::uint64_t id,
                                                    std::uint64_t staff_id, SysTime at);
std::expected<ReminderRecord, Failure> resolve_reminder(SqliteConnection& c, std::uint64_t id,
                                                        SysTime at);

/// Thread-safety: as SqliteDatabase, which must outlive it. Writes are durable when they return.
/// Every member throws InfraError (IoError: the database is stopped, its queue is full or a
/// commit failed; SqliteError: a statement was refused).
class SqliteReminderRecords final : public remind::ReminderRecords {
 public:
  explicit SqliteReminderRecords(SqliteDatabase& db) : db_(db) {}

  /// The events in the next group commit (one savepoint): all stored, or none.
  boost::asio::awaitable<void> write(std::vector<ReminderEvent> events) override;
  boost::asio::awaitable<std::vector<ReminderRecord>> list_ticket(
      std::string ticket, std::optional<std::uint64_t> only_user) override;
  boost::asio::awaitable<std::vector<ReminderRecord>> queue(
      ReminderStatus status, int limit, std::optional<ReminderCursor> after) override;
  boost::asio::awaitable<std::expected<ReminderRecord, Failure>> ack(std::uint64_t id,
                                                                     std::uint64_t staff_id,
                                                                     SysTime at) override;
  boost::asio::awaitable<std::expected<ReminderRecord, Failure>> resolve(std::uint64_t id,
                                                                         SysTime at) override;

  /// select_reminders_since, blocking, for start-up before the I/O threads run: what the
  /// embedded reminder gate is rebuilt from (EmbeddedReminderGate::restore). Each user's `at`
  /// here is their latest reminder on the record (not their first), so windows count from it.
  std::vector<ReminderRecord> records_since_now(SysTime since);

 private:
  SqliteDatabase& db_;
};

}  // namespace seckill::store::sqlite
