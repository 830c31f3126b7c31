#pragma once
// Moves accepted reminders from the queue to the store, in batches, in every instance: the same
// semantics as sale/order_writer.hpp. An entry is acknowledged only after the transaction that
// stored it committed, so a crash at any point leaves it pending, to be claimed and written
// again; the store ignores what it already has (a user is added to a record once, last_at only
// moves forward), so writing twice changes nothing.

#include <atomic>
#include <chrono>
#include <cstdint>

#include <boost/asio/awaitable.hpp>

#include "remind/reminder_queue.hpp"
#include "remind/reminder_records.hpp"

namespace seckill::remind {

struct ReminderWriterOptions {
  std::size_t batch = 500;
  std::chrono::milliseconds block{100};
  /// An entry pending this long with some consumer is assumed abandoned and claimed.
  std::chrono::milliseconds claim_idle{5000};
  std::chrono::milliseconds claim_every{1000};
  /// An entry the store refuses (an SQL error, not an outage) this many times is dead-lettered.
  std::uint64_t max_deliveries = 5;
  std::chrono::milliseconds retry_backoff{200};
};

struct ReminderWriterStats {
  std::atomic<std::uint64_t> events{0};  ///< events written (replays included)
  std::atomic<std::uint64_t> batches{0};
  std::atomic<std::uint64_t> dead_lettered{0};
  std::atomic<std::uint64_t> store_failures{0};
};

class ReminderWriter {
 public:
  ReminderWriter(ReminderQueue& queue, ReminderRecords& records,
                 ReminderWriterOptions options = {});

  /// Runs until stop(); never throws (failures are counted, logged and retried).
  boost::asio::awaitable<void> run();
  /// Makes run() return after the batch in hand.
  void stop() { stopping_.store(true); }

  const ReminderWriterStats& stats() const { return stats_; }

 private:
  boost::asio::awaitable<bool> write(std::vector<QueuedReminder> batch);
  boost::asio::awaitable<void> write_one_by_one(std::vector<QueuedReminder> batch);

  ReminderQueue& queue_;
  ReminderRecords& records_;
  ReminderWriterOptions options_;
  ReminderWriterStats stats_;
  std::atomic<bool> stopping_{false};
};

}  // namespace seckill::remind
