#pragma once
// What must hold for reminders between the coordinator and the store once every accepted
// reminder is stored (`seckill check`), and what the store alone must hold whoever decides.
// Pure: the views are read by the caller (the stores, src/coordinator/redis).

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/rfc3339.hpp"

namespace seckill::remind {

/// One main record as the store has it.
struct StoredReminder {
  std::uint64_t id = 0;
  std::string ticket;
  std::string status;  ///< open, acked, resolved
  SysTime first_at;
  SysTime last_at;
  std::map<std::uint64_t, SysTime> users;  ///< user_id -> the time of their (first) reminder
};

/// A ticket's current main record as the coordinator points at it.
struct OpenPointer {
  std::string ticket;
  std::uint64_t record_id = 0;
  SysTime first_at;
  /// When the coordinator stops pointing at it (the end of its window); nullopt: unknown.
  std::optional<SysTime> window_end;
};

/// A user's window on a ticket: the record their last reminder joined.
struct UserWindow {
  std::string ticket;
  std::uint64_t user_id = 0;
  std::uint64_t record_id = 0;
};

/// The reminders as the coordinator holds them.
struct CoordinatorReminders {
  std::vector<OpenPointer> open;
  std::vector<UserWindow> users;
  std::uint64_t queued = 0;  ///< accepted reminders not yet stored
};

/// The store's own rules, as sentences naming the record or ticket; empty when all holds: each
/// record has at least one user, every user's time lies in [first_at, last_at], and the records
/// of one ticket never overlap in time (a reminder joins the ticket's current record, so a
/// record opens only after the last reminder of the one before it: no ticket has two records in
/// one window).
std::vector<std::string> audit_store(std::span<const StoredReminder> records);

/// audit_store, and the coordinator against the store: nothing queued; every record the
/// coordinator points at exists for that ticket with the same first_at; no other record of the
/// ticket opened inside the window of the one pointed at; every user window names a stored
/// record of that ticket that holds the user. (Not the other way: a user window shorter than
/// the record window expires while the record is still pointed at.)
std::vector<std::string> audit(std::span<const StoredReminder> records,
                               const CoordinatorReminders& coordinator);

}  // namespace seckill::remind
