#pragma once
// The system of record of reminders, as the use case needs it (PostgreSQL implements it).
// Writing is idempotent: a replayed event changes nothing, last_at only moves forward. The staff
// transitions follow core/reminder.hpp and are single conditional updates: of two staff racing,
// one gets the record and the other `invalid_state`.

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error_code.hpp"
#include "core/reminder.hpp"

namespace seckill::remind {

/// Every member throws InfraError when the store cannot be reached; an SQL refusal is a
/// ReplyError. Business outcomes (not_found, invalid_state) are values.
class ReminderRecords {
 public:
  virtual ~ReminderRecords() = default;

  /// Stores a batch of events in one transaction (missing records created, users added once).
  virtual boost::asio::awaitable<void> write(std::vector<ReminderEvent> events) = 0;

  /// The records of `ticket`, oldest first, with their users; with `only_user`, only the records
  /// that include that user.
  virtual boost::asio::awaitable<std::vector<ReminderRecord>> list_ticket(
      std::string ticket, std::optional<std::uint64_t> only_user) = 0;

  /// Up to `limit` records in `status`, oldest first_at first (ties by id), after `after`.
  virtual boost::asio::awaitable<std::vector<ReminderRecord>> queue(
      ReminderStatus status, int limit, std::optional<ReminderCursor> after) = 0;

  /// open -> acked: `not_found`, or `invalid_state` when not open.
  virtual boost::asio::awaitable<std::expected<ReminderRecord, Failure>> ack(std::uint64_t id,
                                                                             std::uint64_t staff_id,
                                                                             SysTime at) = 0;

  /// open or acked -> resolved: `not_found`, or `invalid_state` when already resolved.
  virtual boost::asio::awaitable<std::expected<ReminderRecord, Failure>> resolve(std::uint64_t id,
                                                                                 SysTime at) = 0;
};

}  // namespace seckill::remind
