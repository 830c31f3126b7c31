#pragma once
// The queue of accepted reminders on Redis: a fixed set of streams ({r:P}:events, one per
// partition, written by remind.lua), read by the consumer group `reminder-writers` in which every
// instance is one consumer. Acknowledged entries are deleted, so a stream holds only what is not
// yet stored. Entries the store refuses for good go to {r:P}:events:dead with the reason.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "redis/client.hpp"
#include "remind/reminder_queue.hpp"

namespace seckill::coordinator::redis {

/// One per reminder writer; used from one coroutine at a time, on one single-threaded io_context
/// (its blocking reads go over a dedicated connection on that io_context).
class RedisReminderQueue final : public remind::ReminderQueue {
 public:
  /// `consumer` must be unique to the process (see unique_consumer_name()).
  RedisReminderQueue(seckill::redis::Client& client, std::string consumer);

  boost::asio::awaitable<std::vector<remind::QueuedReminder>> read(
      std::size_t max, std::chrono::milliseconds block) override;
  boost::asio::awaitable<std::vector<remind::QueuedReminder>> claim_stale(
      std::chrono::milliseconds min_idle, std::size_t max) override;
  boost::asio::awaitable<void> ack(std::vector<remind::QueuedReminder> done) override;
  boost::asio::awaitable<void> dead_letter(remind::QueuedReminder entry,
                                           std::string reason) override;

  const std::string& consumer() const { return consumer_; }

 private:
  /// Creates the group on every stream (idempotent), once, and again after Redis lost them.
  boost::asio::awaitable<void> ensure_groups();
  boost::asio::awaitable<void> dead_letter_malformed(std::string stream, std::string entry_id);

  seckill::redis::Client& client_;
  std::string consumer_;
  std::optional<seckill::redis::Connection> blocking_;
  bool groups_ready_ = false;
};

}  // namespace seckill::coordinator::redis
