#pragma once
// Reminders on fault tickets, the rules that need no I/O: the staff workflow of a main record
// (open -> acked -> resolved), when an open record is overdue, and the shapes the use case, the
// coordinator and the store exchange.
//
// Who may remind and which main record a reminder joins is decided by the coordinator (see
// remind/reminder_gate.hpp); this file holds what is true of a record once it exists.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/rfc3339.hpp"

namespace seckill {

enum class ReminderStatus { open, acked, resolved };

/// "open", "acked" or "resolved".
std::string_view to_string(ReminderStatus s);
/// nullopt for anything but "open", "acked", "resolved" (case-sensitive).
std::optional<ReminderStatus> parse_reminder_status(std::string_view s);

enum class ReminderAction { ack, resolve };

/// The workflow: `ack` takes an open record to acked; `resolve` takes an open or acked record to
/// resolved. Nothing leaves resolved. Any other move is `invalid_state`. The store applies the
/// same rule as one conditional UPDATE, so of two staff racing exactly one wins.
bool allows(ReminderStatus from, ReminderAction action);

/// The status after `action`, or nullopt when `allows(from, action)` is false.
std::optional<ReminderStatus> after(ReminderStatus from, ReminderAction action);

/// An open record whose first reminder is older than `sla` at `now`. Acked and resolved records
/// are never overdue: someone is on them.
bool is_overdue(ReminderStatus status, SysTime first_at, SysTime now,
                std::chrono::milliseconds sla);

/// Whether a main record still collects reminders at `now`: while its window (counted from its
/// first_at) runs and staff have not resolved it. An acked record still collects (someone is on
/// it; more users add weight); a resolved one never does, so the ticket's next reminder opens a
/// new record that shows in the open queue.
///
/// This is the one rule of which record a reminder joins. The lock strategy applies it to the
/// store's newest record (lock::decide_reminder). remind.lua and the embedded gate hold no status:
/// they apply the window themselves and learn of a resolve from ReminderService::resolve, which
/// closes the gate's record (remind::ReminderGate::close) once the store resolved it.
bool collects_reminders(ReminderStatus status, SysTime first_at, SysTime now,
                        std::chrono::milliseconds window);

/// Seconds a client should wait, from what is left of a window: rounded up, at least 1 (a
/// client told "0" would retry at once and be refused again).
long long retry_after_seconds(std::chrono::milliseconds remaining);

struct ReminderUser {
  std::uint64_t user_id = 0;
  SysTime at;  ///< the user's first reminder on this record
};

/// A main record: every reminder of one ticket inside one window, with its users.
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

/// One accepted reminder, as decided by the coordinator, on its way to the store.
struct ReminderEvent {
  std::uint64_t reminder_id = 0;
  std::string ticket;
  std::uint64_t user_id = 0;
  SysTime at;
  bool new_record = false;
};

/// Where a page of the staff queue ended: the next page starts after this record (the queue is
/// ordered by first_at, then id).
struct ReminderCursor {
  SysTime first_at;
  std::uint64_t id = 0;
};

/// The cursor as the API shows it: opaque to clients, "<first_at µs since epoch>-<id>".
std::string format_reminder_cursor(const ReminderCursor& cursor);
/// nullopt when `text` is not what format_reminder_cursor makes.
std::optional<ReminderCursor> parse_reminder_cursor(std::string_view text);

}  // namespace seckill
