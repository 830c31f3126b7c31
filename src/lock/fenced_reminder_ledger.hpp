#pragma once
// What the lock-based reminder strategy (locked_reminder_gate.hpp) needs of the store: one
// transaction that first advances the ticket's fencing token, then reads the ticket's state,
// lets the gate decide, and writes the decision (main record, user entry, the user's window).
// The fencing row stays locked until the commit, so a stale holder's transaction either ran
// entirely before the new holder's read or is refused.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/reminder.hpp"
#include "core/rfc3339.hpp"
#include "remind/reminder_gate.hpp"

namespace seckill::lock {

struct TicketState {
  /// The store's clock, read inside the transaction: one clock for every instance.
  SysTime now;
  /// The user's latest accepted reminder of this ticket.
  std::optional<SysTime> user_last;
  /// The newest record the user is in (0: none), for an already_reminded answer.
  std::uint64_t user_record_id = 0;
  /// The ticket's newest main record.
  std::optional<std::uint64_t> newest_id;
  SysTime newest_first_at;
  ReminderStatus newest_status = ReminderStatus::open;
};

using DecideReminder = std::function<remind::RemindDecision(const TicketState&)>;

class FencedReminderLedger {
 public:
  virtual ~FencedReminderLedger() = default;

  /// In one transaction: advance_fencing_token(resource, fencing_token) — nullopt if a newer
  /// token was seen (nothing written) —, read the state of (ticket, user_id), call `decide`, and
  /// for `opened` or `joined` store the reminder (record created if new, user added once,
  /// last_at moved forward) and the user's window. Throws InfraError.
  virtual boost::asio::awaitable<std::optional<remind::RemindDecision>> remind(
      std::string resource, std::int64_t fencing_token, std::string ticket, std::uint64_t user_id,
      DecideReminder decide) = 0;

  /// The largest fencing token the store accepted for `resource` (0: none). Throws InfraError.
  virtual boost::asio::awaitable<std::int64_t> stored_fence(std::string resource) = 0;
};

}  // namespace seckill::lock
