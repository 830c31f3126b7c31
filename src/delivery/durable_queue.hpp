#pragma once
// A queue of decided work between the coordinator and the store (orders, reminder events): Redis
// streams with a consumer group in the distributed mode. Delivery is at least once: an entry
// stays pending until acknowledged, and entries a dead consumer left pending are claimed by
// another after an idle time. The store side must therefore be idempotent.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace seckill::delivery {

template <class Item>
struct Queued {
  std::string stream;    ///< which queue partition it came from
  std::string entry_id;  ///< its id there, for acknowledging it
  Item item;
  std::uint64_t deliveries = 1;  ///< how many times it was handed out, this one included
};

template <class Item>
class DurableQueue {
 public:
  virtual ~DurableQueue() = default;

  /// New entries for this consumer, waiting up to `block` when there are none. Throws InfraError.
  virtual boost::asio::awaitable<std::vector<Queued<Item>>> read(
      std::size_t max, std::chrono::milliseconds block) = 0;

  /// Entries pending for longer than `min_idle` with any consumer (a dead one, or this one after
  /// a failed write), now handed to this consumer.
  virtual boost::asio::awaitable<std::vector<Queued<Item>>> claim_stale(
      std::chrono::milliseconds min_idle, std::size_t max) = 0;

  /// Done: the entries are in the store and leave the queue.
  virtual boost::asio::awaitable<void> ack(std::vector<Queued<Item>> done) = 0;

  /// An entry the store refuses however often it is tried goes aside with the reason, and
  /// leaves the queue.
  virtual boost::asio::awaitable<void> dead_letter(Queued<Item> entry, std::string reason) = 0;
};

}  // namespace seckill::delivery
