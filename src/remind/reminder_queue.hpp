#pragma once
// The queue of accepted reminders between the coordinator and the store (Redis streams with a
// consumer group). Delivery is at least once: an entry stays pending until acknowledged, and
// entries a dead consumer left pending are claimed by another after an idle time. The same
// contract as sale/order_queue.hpp, for reminder events.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/reminder.hpp"

namespace seckill::remind {

struct QueuedReminder {
  std::string stream;    ///< which queue partition it came from
  std::string entry_id;  ///< its id there, for acknowledging it
  ReminderEvent event;
  std::uint64_t deliveries = 1;  ///< how many times it was handed out, this one included
};

class ReminderQueue {
 public:
  virtual ~ReminderQueue() = default;

  /// New entries for this consumer, waiting up to `block` when there are none. Throws InfraError.
  virtual boost::asio::awaitable<std::vector<QueuedReminder>> read(
      std::size_t max, std::chrono::milliseconds block) = 0;

  /// Entries pending for longer than `min_idle` with any consumer, now handed to this consumer.
  virtual boost::asio::awaitable<std::vector<QueuedReminder>> claim_stale(
      std::chrono::milliseconds min_idle, std::size_t max) = 0;

  /// Done: the entries are in the store and leave the queue.
  virtual boost::asio::awaitable<void> ack(std::vector<QueuedReminder> done) = 0;

  /// An entry the store refuses however often it is tried goes aside with the reason.
  virtual boost::asio::awaitable<void> dead_letter(QueuedReminder entry, std::string reason) = 0;
};

}  // namespace seckill::remind
