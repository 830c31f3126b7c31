#pragma once
// Moves decided orders from the queue to the store, in batches, in every instance. An entry is
// acknowledged only after the transaction that stored it committed, so a crash at any point
// leaves it pending, to be claimed and written again; the store ignores what it already has,
// so writing twice leaves one row.

#include <atomic>
#include <chrono>
#include <cstdint>

#include <boost/asio/awaitable.hpp>

#include "sale/order_queue.hpp"
#include "sale/sale_store.hpp"

namespace seckill::sale {

struct OrderWriterOptions {
  std::size_t batch = 500;
  std::chrono::milliseconds block{100};
  /// An entry pending this long with some consumer is assumed abandoned and claimed.
  std::chrono::milliseconds claim_idle{5000};
  std::chrono::milliseconds claim_every{1000};
  /// An entry the store refuses (an SQL error, not an outage) this many times is dead-lettered.
  std::uint64_t max_deliveries = 5;
  std::chrono::milliseconds retry_backoff{200};
};

struct OrderWriterStats {
  std::atomic<std::uint64_t> written{0};  ///< rows inserted
  std::atomic<std::uint64_t> batches{0};
  std::atomic<std::uint64_t> dead_lettered{0};
  std::atomic<std::uint64_t> store_failures{0};
};

class OrderWriter {
 public:
  OrderWriter(OrderQueue& queue, SaleStore& store, OrderWriterOptions options = {});

  /// Runs until stop(); never throws (failures are counted, logged and retried).
  boost::asio::awaitable<void> run();
  /// Makes run() return after the batch in hand.
  void stop() { stopping_.store(true); }

  const OrderWriterStats& stats() const { return stats_; }

 private:
  boost::asio::awaitable<bool> write(std::vector<QueuedOrder> batch);
  boost::asio::awaitable<void> write_one_by_one(std::vector<QueuedOrder> batch);

  OrderQueue& queue_;
  SaleStore& store_;
  OrderWriterOptions options_;
  OrderWriterStats stats_;
  std::atomic<bool> stopping_{false};
};

}  // namespace seckill::sale
