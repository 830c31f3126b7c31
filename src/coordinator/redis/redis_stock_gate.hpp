#pragma once
// The sale's coordinator on Redis: stock and buyers per voucher, decided by one Lua script
// (take_order.lua) that also appends the order to the voucher's stream, all atomically.

#include <span>
#include <string_view>

#include "redis/client.hpp"
#include "sale/stock_gate.hpp"

namespace seckill::coordinator::redis {

/// Thread-safe (the Client is).
class RedisStockGate : public sale::StockGate {
 public:
  /// `ack`: replicas that must hold a taken order before take() returns (WAIT after the
  /// script, on its connection); the default waits for none.
  explicit RedisStockGate(seckill::redis::Client& client);
  RedisStockGate(seckill::redis::Client& client, seckill::redis::AckReplicas ack);

  /// The same with every voucher's stock split over `buckets` buckets on different slots
  /// (--stock-buckets; docs/scaling.md has the protocol): a user is bound to the home bucket
  /// hash(user) mod `buckets`, the only place their mark is written; a dry home bucket borrows
  /// units one at a time from the others. 1 is the unsplit layout, exactly. Every instance must
  /// use the same count.
  RedisStockGate(seckill::redis::Client& client, seckill::redis::AckReplicas ack, unsigned buckets);

  /// The home bucket of a user among `buckets`.
  static unsigned home_bucket(std::uint64_t user_id, unsigned buckets);

  boost::asio::awaitable<void> load(Voucher voucher) override;
  boost::asio::awaitable<sale::TakeResult> take(Order order) override;
  boost::asio::awaitable<std::optional<std::int64_t>> stock_left(std::uint64_t voucher_id) override;
  boost::asio::awaitable<std::optional<Order>> find_pending(std::uint64_t order_id) override;
  /// The entries of the voucher's order streams (one per bucket): acknowledged entries are
  /// deleted, so a stream holds only what the writers have not stored yet.
  boost::asio::awaitable<std::vector<Order>> pending_orders(std::uint64_t voucher_id) override;
  /// Every order stream read (as the writers find them): the cost grows with the backlog.
  boost::asio::awaitable<std::vector<Order>> pending_orders_of_user(std::uint64_t user_id) override;
  boost::asio::awaitable<std::optional<std::vector<sale::Buyer>>> buyers(
      std::uint64_t voucher_id) override;
  /// SET {v:ID}:rebuild owner NX PX ttl.
  boost::asio::awaitable<bool> claim_rebuild(std::uint64_t voucher_id, std::string owner,
                                             std::chrono::milliseconds ttl) override;
  /// Buyers first (each in their home bucket's hash, added to whatever survived), then the
  /// stock of buckets 1.. (SET NX), then bucket 0 by restore_voucher.lua, which checks the claim;
  /// then the voucher is registered for the writers again.
  boost::asio::awaitable<bool> restore_lost(Voucher voucher, std::int64_t stock_left,
                                            std::vector<sale::Buyer> buyers,
                                            std::string owner) override;

 private:
  /// Appends the orders of one stream to `out` (only those of `user` when given).
  boost::asio::awaitable<void> read_stream(std::string stream, std::optional<std::uint64_t> user,
                                           std::vector<Order>& out);
  seckill::redis::Client& client_;
  boost::asio::awaitable<sale::TakeResult> take_bucketed(Order order);
  boost::asio::awaitable<std::int64_t> total_left(std::uint64_t voucher_id);
  /// A take script with the replicas' acknowledgement (WAIT after it). WAIT short of `ack_`
  /// throws IoError after the script ran: then the buyers hash (`buyers_key`) tells whether this
  /// order was taken. Taken, or not knowable: OutcomeUnknownError (never 503, which says nothing
  /// was taken). Another order held by the user: {-1, that order}. Nothing: the IoError.
  boost::asio::awaitable<seckill::redis::Reply> eval_acked_take(
      const seckill::redis::Script& script, std::span<const std::string_view> keys,
      std::span<const std::string_view> args, std::string_view buyers_key, std::string_view user,
      std::string_view order_id);
  /// The `pending` record GET /orders/{id} reads until the writer stores the order, written
  /// apart from the take on a Redis Cluster (the views point into the caller's frame, which
  /// awaits this to the end).
  boost::asio::awaitable<void> write_pending_record(std::uint64_t order_id,
                                                    std::string_view voucher, std::string_view user,
                                                    std::string_view at);

  seckill::redis::AckReplicas ack_;
  unsigned buckets_ = 1;
  /// Single Redis: the take script writes the order's pending record itself (one round trip).
  /// Redis Cluster: the record's key is in another slot, so a separate SET writes it.
  bool pending_in_script_ = true;
};

}  // namespace seckill::coordinator::redis
