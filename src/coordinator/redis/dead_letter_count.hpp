#pragma once
// How many dead letters (entries the store refused for good, issue #15) wait in Redis, for an
// operator: the `seckill_dead_letters{kind}` gauge and the `dead_letters` field of /readyz.
// Counted with XLEN over every dead stream: the catch-all order stream, each registered voucher
// bucket's, each reminder partition's. A count is refreshed in the background, so neither a
// scrape nor a readiness check ever waits on Redis for it.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "redis/client.hpp"

namespace seckill::coordinator::redis {

struct DeadLetterCounts {
  std::uint64_t orders = 0;
  std::uint64_t reminders = 0;
};

/// Every order dead stream that may exist (reads the registered vouchers). Throws InfraError.
boost::asio::awaitable<std::vector<std::string>> order_dead_streams(seckill::redis::Client& client);
/// The reminder partitions' dead streams.
std::vector<std::string> reminder_dead_streams();

/// XLEN of every dead stream, by kind. Throws InfraError.
boost::asio::awaitable<DeadLetterCounts> count_dead_letters(seckill::redis::Client& client);

/// The last counts read, refreshed by run(). Thread-safe reads.
class DeadLetterWatch {
 public:
  /// `client` must outlive this.
  explicit DeadLetterWatch(seckill::redis::Client& client) : client_(client) {}

  /// count_dead_letters every `period` until stop(); a failure keeps the last counts (logged at
  /// most every minute).
  boost::asio::awaitable<void> run(std::chrono::milliseconds period = std::chrono::seconds(5));
  void stop() { stopping_ = true; }

  /// The last counts, and whether any were read yet.
  DeadLetterCounts counts() const { return {orders_.load(), reminders_.load()}; }
  bool known() const { return known_.load(); }

 private:
  seckill::redis::Client& client_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> known_{false};
  std::atomic<std::uint64_t> orders_{0};
  std::atomic<std::uint64_t> reminders_{0};
};

}  // namespace seckill::coordinator::redis
