#include "remind/reminder_audit.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace seckill::remind {

std::vector<std::string> audit_store(std::span<const StoredReminder> records) {
  std::vector<std::string> out;
  std::map<std::string, std::vector<const StoredReminder*>> by_ticket;
  for (const auto& r : records) {
    by_ticket[r.ticket].push_back(&r);
    if (r.users.empty()) out.push_back(fmt::format("reminder {} ({}): no user", r.id, r.ticket));
    if (r.last_at < r.first_at) {
      out.push_back(fmt::format("reminder {} ({}): last_at {} before first_at {}", r.id, r.ticket,
                                format_rfc3339(r.last_at), format_rfc3339(r.first_at)));
    }
    for (const auto& [user, at] : r.users) {
      if (at < r.first_at || at > r.last_at) {
        out.push_back(fmt::format("reminder {} ({}): user {} at {} outside [{}, {}]", r.id,
                                  r.ticket, user, format_rfc3339(at), format_rfc3339(r.first_at),
                                  format_rfc3339(r.last_at)));
      }
    }
  }
  for (auto& [ticket, list] : by_ticket) {
    std::ranges::sort(list, [](const StoredReminder* a, const StoredReminder* b) {
      return a->first_at != b->first_at ? a->first_at < b->first_at : a->id < b->id;
    });
    for (std::size_t i = 1; i < list.size(); ++i) {
      const auto& before = *list[i - 1];
      const auto& after = *list[i];
      if (after.first_at <= before.last_at) {
        out.push_back(fmt::format(
            "ticket {}: two records in one window: reminder {} opened at {} while reminder {} "
            "({} to {}) was still joined",
            ticket, after.id, format_rfc3339(after.first_at), before.id,
            format_rfc3339(before.first_at), format_rfc3339(before.last_at)));
      }
    }
  }
  return out;
}

std::vector<std::string> audit(std::span<const StoredReminder> records,
                               const CoordinatorReminders& c) {
  std::vector<std::string> out = audit_store(records);
  if (c.queued != 0) out.push_back(fmt::format("{} accepted reminders not yet stored", c.queued));
  std::map<std::uint64_t, const StoredReminder*> by_id;
  std::map<std::string, std::vector<const StoredReminder*>> by_ticket;
  for (const auto& r : records) {
    by_id[r.id] = &r;
    by_ticket[r.ticket].push_back(&r);
  }
  for (const auto& p : c.open) {
    auto it = by_id.find(p.record_id);
    if (it == by_id.end()) {
      out.push_back(fmt::format(
          "ticket {}: the coordinator points at reminder {}, which the store does not have",
          p.ticket, p.record_id));
      continue;
    }
    const auto& r = *it->second;
    if (r.ticket != p.ticket) {
      out.push_back(fmt::format(
          "ticket {}: the coordinator points at reminder {}, which the store has for ticket {}",
          p.ticket, p.record_id, r.ticket));
      continue;
    }
    if (r.first_at != p.first_at) {
      out.push_back(fmt::format(
          "ticket {}: reminder {} first_at {} in the coordinator, {} in the store", p.ticket,
          p.record_id, format_rfc3339(p.first_at), format_rfc3339(r.first_at)));
    }
    if (!p.window_end) continue;
    for (const auto* other : by_ticket[p.ticket]) {
      if (other->id != r.id && other->first_at >= p.first_at && other->first_at < *p.window_end) {
        out.push_back(fmt::format(
            "ticket {}: two records in one window: reminder {} opened at {} inside the window "
            "of reminder {} ({} to {})",
            p.ticket, other->id, format_rfc3339(other->first_at), r.id, format_rfc3339(p.first_at),
            format_rfc3339(*p.window_end)));
      }
    }
  }
  for (const auto& w : c.users) {
    auto it = by_id.find(w.record_id);
    if (it == by_id.end() || it->second->ticket != w.ticket) {
      out.push_back(fmt::format(
          "ticket {}: user {} is in reminder {} in the coordinator, the store has no such record "
          "of the ticket",
          w.ticket, w.user_id, w.record_id));
    } else if (!it->second->users.contains(w.user_id)) {
      out.push_back(
          fmt::format("ticket {}: user {} is in reminder {} in the coordinator, not in the store",
                      w.ticket, w.user_id, w.record_id));
    }
  }
  return out;
}

}  // namespace seckill::remind
