#pragma once
// The queue of accepted reminders on Redis: a fixed set of streams ({r:P}:events, one per
// partition, written by remind.lua), read by the consumer group `reminder-writers`
// (redis_stream_queue.hpp). Entries the store refuses for good go to {r:P}:events:dead with the
// reason.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/redis/redis_stream_queue.hpp"
#include "coordinator/redis/remind_keys.hpp"
#include "core/reminder.hpp"
#include "redis/client.hpp"
#include "remind/reminder_queue.hpp"

namespace seckill::coordinator::redis {

/// How a reminder event entry reads, where the event streams are, what a dead letter keeps.
struct ReminderStreamCodec {
  using Item = ReminderEvent;
  static constexpr std::string_view kName = "reminder queue";
  static constexpr const char* kGroup = kReminderWriterGroup;

  /// Every partition's event stream (a fixed set).
  static boost::asio::awaitable<std::vector<std::string>> streams(seckill::redis::Client& client);
  /// An entry as remind.lua writes it: r (record id), k (ticket), u (user), t (ms), n (new 1/0);
  /// nullopt if a field is missing or malformed.
  static std::optional<ReminderEvent> parse(std::span<const seckill::redis::Reply> fields);
  /// r, k, u, t: the event's fields.
  static std::vector<std::string> dead_letter_fields(const ReminderEvent& event);
  /// "{r:P}:events:dead".
  static std::string dead_stream(std::string_view stream);
};

using RedisReminderQueue = RedisStreamQueue<ReminderStreamCodec>;
extern template class RedisStreamQueue<ReminderStreamCodec>;

}  // namespace seckill::coordinator::redis
