#pragma once
// Reminders on fault tickets in PostgreSQL. The coordinator decides which main record a reminder
// joins and whether the user may remind again; the store records those decisions (replays are
// harmless) and runs the staff workflow open -> acked -> resolved, where each transition is one
// conditional UPDATE so that of two staff racing exactly one wins.

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error_code.hpp"
#include "core/rfc3339.hpp"
#include "store/postgres/pg_pool.hpp"

namespace seckill::store::postgres {

enum class ReminderStatus { open, acked, resolved };
std::string_view to_string(ReminderStatus s);
/// nullopt for anything but "open", "acked", "resolved".
std::optional<ReminderStatus> parse_reminder_status(std::string_view s);

struct ReminderUser {
  std::uint64_t user_id = 0;
  SysTime at;
};

/// A main record with its users (by time of their reminder).
struct ReminderRecord {
  std::uint64_t id = 0;
  std::string ticket;
  ReminderStatus status = ReminderStatus::open;
  SysTime first_at;
  SysTime last_at;
  std::optional<std::uint64_t> acked_by;
  std::optional<SysTime> acked_at;
  std::optional<SysTime> resolved_at;
  std::vector<ReminderUser> users;
};

/// One accepted reminder, as decided by the coordinator.
struct ReminderEvent {
  std::uint64_t reminder_id = 0;
  std::string ticket;
  std::uint64_t user_id = 0;
  SysTime at;
  bool new_record = false;  ///< informative: the store creates a missing record either way
};

/// Where a page of the queue ended: the next page starts after this record.
struct QueueCursor {
  SysTime first_at;
  std::uint64_t id = 0;
};

/// Records a batch in one transaction: creates each missing main record (status open,
/// first_at/last_at the earliest/newest event), adds each user once (a repeated user keeps its
/// first time), and moves last_at forward only (`greatest`) and first_at backward only. Replays
/// change nothing. Records are touched in id order, so concurrent batches do not deadlock.
/// An event whose record id is stored for another ticket (an id issued twice) is never merged
/// into that record: the batch is rolled back and a PgError (kUniqueViolation) naming both
/// tickets thrown, logged as an error (the writer dead-letters the event with that reason).
void insert_reminder_events(PgConnection& c, std::span<const ReminderEvent> events);

std::optional<ReminderRecord> select_reminder(PgConnection& c, std::uint64_t id);
/// The records of a ticket, oldest first; with `user`, only those that include that user.
std::vector<ReminderRecord> select_ticket_reminders(PgConnection& c, std::string_view ticket,
                                                    std::optional<std::uint64_t> user);
/// Up to `limit` records in `status`, oldest first_at first (ties by id), after `after`.
std::vector<ReminderRecord> select_reminder_queue(PgConnection& c, ReminderStatus status, int limit,
                                                  std::optional<QueueCursor> after);
/// open -> acked. Failure `not_found`, or `invalid_state` if it is not open (someone else acked
/// or resolved it first).
std::expected<ReminderRecord, Failure> ack_reminder(PgConnection& c, std::uint64_t id,
                                                    std::uint64_t staff_id, SysTime at);
/// open or acked -> resolved. Failure `not_found` or `invalid_state` (already resolved).
std::expected<ReminderRecord, Failure> resolve_reminder(PgConnection& c, std::uint64_t id,
                                                        SysTime at);

/// Thread-safety: as PgPool. The pool must outlive the store. Members throw what PgPool::run and
/// the blocking functions throw; business outcomes are values.
class PgReminderStore {
 public:
  explicit PgReminderStore(PgPool& pool) : pool_(pool) {}

  boost::asio::awaitable<void> write_reminder_events(std::vector<ReminderEvent> events);
  boost::asio::awaitable<std::optional<ReminderRecord>> find_reminder(std::uint64_t id);
  boost::asio::awaitable<std::vector<ReminderRecord>> list_ticket_reminders(
      std::string ticket, std::optional<std::uint64_t> user);
  boost::asio::awaitable<std::vector<ReminderRecord>> queue(ReminderStatus status, int limit,
                                                            std::optional<QueueCursor> after);
  boost::asio::awaitable<std::expected<ReminderRecord, Failure>> ack(std::uint64_t id,
                                                                     std::uint64_t staff_id,
                                                                     SysTime at);
  boost::asio::awaitable<std::expected<ReminderRecord, Failure>> resolve(std::uint64_t id,
                                                                         SysTime at);

 private:
  PgPool& pool_;
};

}  // namespace seckill::store::postgres
