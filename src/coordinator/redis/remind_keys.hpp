#pragma once
// The names of the reminders' Redis keys, in one place.
//
// Tickets are spread over kReminderPartitions partitions; every key of one ticket carries its
// partition's hash tag {r:P}, so remind.lua (which touches several of them) runs on one Redis
// Cluster slot, and the number of event streams is fixed however many tickets there are.
// P = FNV-1a 32-bit of the ticket's bytes, modulo kReminderPartitions. The hash is stable across
// builds and platforms; changing it or the partition count moves a ticket's open-record key, so
// during such a rollout a ticket could get a second record inside one window — do it only with
// the reminder keys drained (after one window with no traffic).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace seckill::coordinator::redis {

inline constexpr std::uint32_t kReminderPartitions = 16;

/// The consumer group of the reminder writers on every event stream.
inline constexpr const char* kReminderWriterGroup = "reminder-writers";

/// FNV-1a, 32 bits: stable, cheap, and spreads short ticket numbers well.
constexpr std::uint32_t fnv1a_32(std::string_view bytes) {
  std::uint32_t h = 2166136261u;
  for (char c : bytes) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 16777619u;
  }
  return h;
}

constexpr std::uint32_t reminder_partition(std::string_view ticket) {
  return fnv1a_32(ticket) % kReminderPartitions;
}

/// The event stream of partition `p`: "{r:P}:events".
inline std::string reminder_stream(std::uint32_t p) {
  return fmt::format("{{r:{}}}:events", p);
}

/// Every event stream, in partition order.
inline std::array<std::string, kReminderPartitions> reminder_streams() {
  std::array<std::string, kReminderPartitions> out;
  for (std::uint32_t p = 0; p < kReminderPartitions; ++p)
    out[p] = reminder_stream(p);
  return out;
}

/// The keys remind.lua needs for one ticket and user. `ticket` must be valid (core/ticket.hpp):
/// its alphabet has no ':', '{' or '}', so it can stand in a key as it is.
struct RemindKeys {
  RemindKeys(std::string_view ticket, std::uint64_t user_id)
      : partition(reminder_partition(ticket)),
        user(fmt::format("{{r:{}}}:user:{}:{}", partition, ticket, user_id)),
        open(fmt::format("{{r:{}}}:open:{}", partition, ticket)),
        events(reminder_stream(partition)) {}

  std::uint32_t partition;
  std::string user;    ///< the user's window on this ticket (expiring)
  std::string open;    ///< the ticket's current main record: hash id, first_at (expiring)
  std::string events;  ///< the partition's stream of accepted reminders
};

}  // namespace seckill::coordinator::redis
