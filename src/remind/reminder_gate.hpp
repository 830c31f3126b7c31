#pragma once
// The coordinator of reminders: the one place, shared by every instance, that decides atomically
// whether a user may remind a ticket now and which main record the reminder joins, and queues the
// accepted reminder for the store. Implemented on Redis by one Lua script
// (coordinator/redis/remind.lua).

#include <chrono>
#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/rfc3339.hpp"

namespace seckill::remind {

/// How long one main record collects reminders (counted from its first_at), and how often one
/// user may remind one ticket.
struct ReminderWindows {
  std::chrono::milliseconds record{std::chrono::minutes(15)};
  std::chrono::milliseconds user{std::chrono::minutes(15)};
};

enum class RemindOutcome {
  opened,            ///< a new main record was opened with the id offered
  joined,            ///< the reminder joined the ticket's open main record
  already_reminded,  ///< this user reminded this ticket less than a user window ago
};

struct RemindDecision {
  RemindOutcome outcome = RemindOutcome::already_reminded;
  /// With opened or joined: the main record. With already_reminded: the record the user's
  /// reminder is in (0 when the coordinator cannot tell; the answer then leaves it out).
  std::uint64_t reminder_id = 0;
  /// With opened or joined: the time of the reminder, on the coordinator's clock.
  SysTime at;
  /// With already_reminded: what is left of the user's window.
  std::chrono::milliseconds retry_after{0};
};

class ReminderGate {
 public:
  virtual ~ReminderGate() = default;

  /// Decides one reminder of `ticket` (already validated) by `user_id`, and when it is accepted
  /// queues it for the store, atomically. `new_id` becomes the record's id if a new main record
  /// is opened; otherwise it is unused. Throws InfraError when the coordinator cannot be
  /// reached: then nothing was decided, or (a failure after the decision) the reminder is
  /// queued and will be stored — never half of it.
  virtual boost::asio::awaitable<RemindDecision> remind(std::string ticket, std::uint64_t user_id,
                                                        std::uint64_t new_id) = 0;

  /// Staff resolved record `record_id` of `ticket` in the store: if it is still the ticket's
  /// current record here, forget it, so the ticket's next reminder opens a new record (the rule:
  /// core/reminder.hpp, collects_reminders). A newer record is left alone. Idempotent. Throws
  /// InfraError when the coordinator cannot be reached.
  virtual boost::asio::awaitable<void> close(std::string ticket, std::uint64_t record_id) = 0;
};

}  // namespace seckill::remind
