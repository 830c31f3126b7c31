#include "remind/recent_reminders.hpp"

#include <fmt/format.h>

namespace seckill::remind {

std::string RecentReminders::key_of(std::string_view ticket, std::uint64_t user) {
  // A ticket is [A-Za-z0-9_-]: '/' cannot occur in it.
  return fmt::format("{}/{}", ticket, user);
}

std::optional<std::chrono::milliseconds> RecentReminders::time_left(std::string_view ticket,
                                                                    std::uint64_t user, Time now) {
  auto k = known(ticket, user, now);
  if (!k) return std::nullopt;
  return k->left;
}

std::optional<RecentReminders::Known> RecentReminders::known(std::string_view ticket,
                                                             std::uint64_t user, Time now) {
  const auto key = key_of(ticket, user);
  std::lock_guard lock(mutex_);
  auto it = until_.find(key);
  if (it == until_.end()) return std::nullopt;
  if (it->second.until <= now) {
    until_.erase(it);
    return std::nullopt;
  }
  return Known{std::chrono::ceil<std::chrono::milliseconds>(it->second.until - now),
               it->second.reminder_id};
}

void RecentReminders::remember(std::string_view ticket, std::uint64_t user, Time asked_at,
                               std::chrono::milliseconds retry_after, std::uint64_t reminder_id) {
  if (retry_after <= std::chrono::milliseconds::zero()) return;
  auto key = key_of(ticket, user);
  const auto until = asked_at + retry_after;
  std::lock_guard lock(mutex_);
  if (until_.size() >= capacity_) {
    std::erase_if(until_, [&](const auto& entry) { return entry.second.until <= asked_at; });
    if (until_.size() >= capacity_) until_.clear();
  }
  until_[std::move(key)] = Entry{until, reminder_id};
}

}  // namespace seckill::remind
