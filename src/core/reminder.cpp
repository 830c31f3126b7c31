#include "core/reminder.hpp"

#include <fmt/format.h>

#include "core/decimal.hpp"

namespace seckill {

namespace {}  // namespace

std::string_view to_string(ReminderStatus s) {
  switch (s) {
    case ReminderStatus::open:
      return "open";
    case ReminderStatus::acked:
      return "acked";
    case ReminderStatus::resolved:
      return "resolved";
  }
  return "open";
}

std::optional<ReminderStatus> parse_reminder_status(std::string_view s) {
  if (s == "open") return ReminderStatus::open;
  if (s == "acked") return ReminderStatus::acked;
  if (s == "resolved") return ReminderStatus::resolved;
  return std::nullopt;
}

bool allows(ReminderStatus from, ReminderAction action) {
  switch (action) {
    case ReminderAction::ack:
      return from == ReminderStatus::open;
    case ReminderAction::resolve:
      return from == ReminderStatus::open || from == ReminderStatus::acked;
  }
  return false;
}

std::optional<ReminderStatus> after(ReminderStatus from, ReminderAction action) {
  if (!allows(from, action)) return std::nullopt;
  return action == ReminderAction::ack ? ReminderStatus::acked : ReminderStatus::resolved;
}

bool is_overdue(ReminderStatus status, SysTime first_at, SysTime now,
                std::chrono::milliseconds sla) {
  return status == ReminderStatus::open && now - first_at > sla;
}

bool collects_reminders(ReminderStatus status, SysTime first_at, SysTime now,
                        std::chrono::milliseconds window) {
  return status != ReminderStatus::resolved && now < first_at + window;
}

long long retry_after_seconds(std::chrono::milliseconds remaining) {
  auto ms = remaining.count();
  if (ms <= 0) return 1;
  return (ms + 999) / 1000;
}

std::string format_reminder_cursor(const ReminderCursor& cursor) {
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(cursor.first_at.time_since_epoch());
  return fmt::format("{}-{}", micros.count(), cursor.id);
}

std::optional<ReminderCursor> parse_reminder_cursor(std::string_view text) {
  auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto micros = parse_decimal<std::int64_t>(text.substr(0, dash));
  auto id = parse_decimal<std::uint64_t>(text.substr(dash + 1));
  if (!micros || !id || *micros < 0) return std::nullopt;
  // Beyond what SysTime's 64-bit nanoseconds hold, the conversion below would overflow.
  constexpr auto kMaxMicros =
      std::chrono::duration_cast<std::chrono::microseconds>(SysTime::duration::max()).count();
  if (*micros > kMaxMicros) return std::nullopt;
  return ReminderCursor{
      SysTime(std::chrono::duration_cast<SysTime::duration>(std::chrono::microseconds(*micros))),
      *id};
}

}  // namespace seckill
