#pragma once
// The queue of decided orders between the coordinator and the store (Redis streams with a
// consumer group; embedded, the store is written before the answer and there is no queue).
// Delivery is at least once: an entry stays pending until acknowledged, and entries a dead
// consumer left pending are claimed by another after an idle time.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/order.hpp"

namespace seckill::sale {

struct QueuedOrder {
  std::string stream;    ///< which queue partition it came from
  std::string entry_id;  ///< its id there, for acknowledging it
  Order order;
  std::uint64_t deliveries = 1;  ///< how many times it was handed out, this one included
};

class OrderQueue {
 public:
  virtual ~OrderQueue() = default;

  /// New entries for this consumer, waiting up to `block` when there are none. Throws InfraError.
  virtual boost::asio::awaitable<std::vector<QueuedOrder>> read(
      std::size_t max, std::chrono::milliseconds block) = 0;

  /// Entries pending for longer than `min_idle` with any consumer (a dead one, or this one after
  /// a failed write), now handed to this consumer.
  virtual boost::asio::awaitable<std::vector<QueuedOrder>> claim_stale(
      std::chrono::milliseconds min_idle, std::size_t max) = 0;

  /// Done: the entries are in the store and leave the queue.
  virtual boost::asio::awaitable<void> ack(std::vector<QueuedOrder> done) = 0;

  /// An entry that cannot be stored however often it is tried goes aside with the reason, and
  /// leaves the queue.
  virtual boost::asio::awaitable<void> dead_letter(QueuedOrder entry, std::string reason) = 0;

  /// Entries not yet acknowledged, over every partition.
  virtual boost::asio::awaitable<std::uint64_t> backlog() = 0;
};

}  // namespace seckill::sale
