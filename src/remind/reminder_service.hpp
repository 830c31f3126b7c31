#pragma once
// Reminders on fault tickets as a use case: remind, read a ticket's records, and the staff queue
// with its ack/resolve workflow. The decision of a reminder is the ReminderGate's (atomic across
// instances); the records are read from the ReminderRecords store. This class knows nothing of
// Redis, PostgreSQL or HTTP.
//
// Reads lag the decisions: an accepted reminder reaches the store through the queue and the
// reminder writer, usually within milliseconds. A record just opened may therefore be missing
// from a read for that long, and ack/resolve of it answer `not_found` until it is stored.

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error_code.hpp"
#include "core/id_source.hpp"
#include "core/reminder.hpp"
#include "remind/recent_reminders.hpp"
#include "remind/reminder_gate.hpp"
#include "remind/reminder_records.hpp"

namespace seckill::remind {

using Clock = std::function<SysTime()>;

struct Reminded {
  std::uint64_t reminder_id = 0;
  bool new_record = false;
};

struct ReminderPage {
  std::vector<ReminderRecord> records;
  /// Where the next page starts; nullopt when this page is the last.
  std::optional<ReminderCursor> next;
};

inline constexpr int kDefaultQueueLimit = 50;
inline constexpr int kMaxQueueLimit = 500;

/// Thread-safe; one per process. Every method throws InfraError when a backend it needs is down
/// (the HTTP layer answers 503) and returns a Failure for the outcomes a client causes.
class ReminderService {
 public:
  ReminderService(ReminderGate& gate, ReminderRecords& records, IdSource& ids, Clock clock,
                  std::chrono::milliseconds sla);

  /// bad_request (ticket), already_reminded (with retry_after_s), or the record joined/opened.
  boost::asio::awaitable<std::expected<Reminded, Failure>> remind(std::uint64_t user_id,
                                                                  std::string ticket);

  /// The records of `ticket`; with `only_user`, those that include that user (what a user sees).
  boost::asio::awaitable<std::expected<std::vector<ReminderRecord>, Failure>> ticket_reminders(
      std::string ticket, std::optional<std::uint64_t> only_user);

  /// One page of the staff queue; bad_request for a limit outside 1..kMaxQueueLimit.
  boost::asio::awaitable<std::expected<ReminderPage, Failure>> queue(
      ReminderStatus status, int limit, std::optional<ReminderCursor> after);

  boost::asio::awaitable<std::expected<ReminderRecord, Failure>> ack(std::uint64_t id,
                                                                     std::uint64_t staff_id);
  boost::asio::awaitable<std::expected<ReminderRecord, Failure>> resolve(std::uint64_t id);

  /// Whether `record` is open longer than the SLA, now.
  bool overdue(const ReminderRecord& record) const;

 private:
  ReminderGate& gate_;
  ReminderRecords& records_;
  IdSource& ids_;
  Clock clock_;
  std::chrono::milliseconds sla_;
  /// Repeats answered here while the coordinator's already_reminded still holds.
  RecentReminders recent_;
};

}  // namespace seckill::remind
