#pragma once
// The sale's coordinator on Redis: stock and buyers per voucher, decided by one Lua script
// (take_order.lua) that also appends the order to the voucher's stream, all atomically.

#include "redis/client.hpp"
#include "sale/stock_gate.hpp"

namespace seckill::coordinator::redis {

/// Thread-safe (the Client is).
class RedisStockGate : public sale::StockGate {
 public:
  /// `ack`: replicas that must hold a taken order before take() returns (WAIT after the
  /// script, on its connection); the default waits for none.
  explicit RedisStockGate(seckill::redis::Client& client, seckill::redis::AckReplicas ack = {});

  boost::asio::awaitable<void> load(Voucher voucher) override;
  boost::asio::awaitable<sale::TakeResult> take(Order order) override;
  boost::asio::awaitable<std::optional<std::int64_t>> stock_left(std::uint64_t voucher_id) override;
  boost::asio::awaitable<std::optional<Order>> find_pending(std::uint64_t order_id) override;
  boost::asio::awaitable<std::optional<std::vector<std::uint64_t>>> buyers(
      std::uint64_t voucher_id) override;

 private:
  seckill::redis::Client& client_;
  seckill::redis::AckReplicas ack_;
};

}  // namespace seckill::coordinator::redis
