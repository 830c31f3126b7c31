#pragma once
// The queue of decided orders on Redis: one stream per voucher stock bucket ({v:ID}:orders, or
// {v:ID:B}:orders; written by take_order.lua / take_bucket.lua), the streams found in
// kVoucherSetKey, read by the consumer group `order-writers` (redis_stream_queue.hpp).

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/redis/redis_stream_queue.hpp"
#include "coordinator/redis/sale_keys.hpp"
#include "core/order.hpp"
#include "redis/client.hpp"
#include "sale/order_queue.hpp"

namespace seckill::coordinator::redis {

/// How an order stream entry reads, where the order streams are, what a dead letter keeps.
struct OrderStreamCodec {
  using Item = Order;
  static constexpr std::string_view kName = "order queue";
  static constexpr const char* kGroup = kWriterGroup;

  /// The order streams of every member of kVoucherSetKey.
  static boost::asio::awaitable<std::vector<std::string>> streams(seckill::redis::Client& client);
  static std::optional<Order> parse(std::span<const seckill::redis::Reply> fields);
  /// o order, u user, v voucher, t millis: the fields of the entry.
  static std::vector<std::string> dead_letter_fields(const Order& order);
  /// "{v:ID}:orders:dead" (SaleKeys::dead) for a voucher stream.
  static std::string dead_stream(std::string_view stream);
};

using RedisOrderQueue = RedisStreamQueue<OrderStreamCodec>;
extern template class RedisStreamQueue<OrderStreamCodec>;

/// An order stream entry as take_order.lua writes it (fields o order, u user, v voucher, t
/// millis), status pending; nullopt if a field is missing or malformed.
std::optional<Order> parse_order_entry(std::span<const seckill::redis::Reply> fields);

/// The order stream of a member of kVoucherSetKey ("ID", or "ID:B" for bucket B), or nullopt.
std::optional<std::string> order_stream_of_member(std::string_view member);

/// A consumer name unique to this process: host, pid and a random suffix.
std::string unique_consumer_name();

}  // namespace seckill::coordinator::redis
