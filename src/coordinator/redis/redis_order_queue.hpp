#pragma once
// The queue of decided orders on Redis: one stream per voucher ({v:ID}:orders, written by
// take_order.lua), read by the consumer group `order-writers` in which every instance is one
// consumer. Acknowledged entries are deleted, so a stream holds only what is not yet stored.

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "redis/client.hpp"
#include "sale/order_queue.hpp"

namespace seckill::coordinator::redis {

/// One per order writer; used from one coroutine at a time, on one single-threaded io_context
/// (its blocking reads go over a dedicated connection on that io_context).
class RedisOrderQueue : public sale::OrderQueue {
 public:
  /// `consumer` must be unique to the process (e.g. host, pid and a random suffix). With `ack`
  /// asking for replicas (--redis-ack-replicas), read() and claim_stale() hand out only entries
  /// that many replicas hold (see read_group): the store never takes an order a failover of
  /// Redis would forget and sell again.
  RedisOrderQueue(seckill::redis::Client& client, std::string consumer,
                  seckill::redis::AckReplicas ack = {});

  boost::asio::awaitable<std::vector<sale::QueuedOrder>> read(
      std::size_t max, std::chrono::milliseconds block) override;
  boost::asio::awaitable<std::vector<sale::QueuedOrder>> claim_stale(
      std::chrono::milliseconds min_idle, std::size_t max) override;
  boost::asio::awaitable<void> ack(std::vector<sale::QueuedOrder> done) override;
  boost::asio::awaitable<void> dead_letter(sale::QueuedOrder entry, std::string reason) override;
  /// Entries not yet stored, over every voucher stream.
  boost::asio::awaitable<std::uint64_t> backlog();

  const std::string& consumer() const { return consumer_; }

 private:
  boost::asio::awaitable<std::vector<std::string>> streams();
  boost::asio::awaitable<void> dead_letter_malformed(std::string stream, std::string entry_id,
                                                     std::string reason);

  seckill::redis::Client& client_;
  std::string consumer_;
  seckill::redis::AckReplicas ack_;
  // Entries read but not confirmed on the replicas (WAIT fell short) are this consumer's pending
  // ones: the next read takes them again (`0`) instead of waiting to claim them when idle.
  bool reread_own_pending_ = false;
  std::optional<seckill::redis::Connection> blocking_;
  std::vector<std::string> streams_;
  std::chrono::steady_clock::time_point streams_fetched_{};
};

/// An order stream entry as take_order.lua writes it (fields o order, u user, v voucher, t
/// millis), status pending; nullopt if a field is missing or malformed.
std::optional<Order> parse_order_entry(std::span<const seckill::redis::Reply> fields);

/// The order stream of a member of kVoucherSetKey ("ID", or "ID:B" for bucket B), or nullopt.
std::optional<std::string> order_stream_of_member(std::string_view member);

/// A consumer name unique to this process: host, pid and a random suffix.
std::string unique_consumer_name();

}  // namespace seckill::coordinator::redis
