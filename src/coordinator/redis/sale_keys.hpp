#pragma once
// The names of the sale's Redis keys, in one place. Every key of one voucher carries the hash
// tag {v:ID}, so the scripts that touch several of them run on one Redis Cluster slot.

#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace seckill::coordinator::redis {

struct SaleKeys {
  explicit SaleKeys(std::uint64_t voucher_id)
      : stock(fmt::format("{{v:{}}}:stock", voucher_id)),
        buyers(fmt::format("{{v:{}}}:buyers", voucher_id)),
        orders(fmt::format("{{v:{}}}:orders", voucher_id)),
        dead(fmt::format("{{v:{}}}:orders:dead", voucher_id)) {}

  std::string stock;   ///< units left
  std::string buyers;  ///< hash user_id -> order_id
  std::string orders;  ///< stream of taken orders
  std::string dead;    ///< stream of orders the store refused for good, with the reason
};

/// The set of loaded voucher ids: where order writers find the streams to read.
inline constexpr const char* kVoucherSetKey = "seckill:vouchers";
/// The consumer group of the order writers on every order stream.
inline constexpr const char* kWriterGroup = "order-writers";
/// Channel on which an instance announces a voucher it saw sell out.
inline constexpr const char* kSoldOutChannel = "seckill:sold-out";

/// "order -> voucher, user, time" for an order not yet in the store, so any instance can answer
/// GET /orders/{id} with `pending` (it expires; by then the store has the order).
inline std::string pending_order_key(std::uint64_t order_id) {
  return fmt::format("seckill:order:{}", order_id);
}

}  // namespace seckill::coordinator::redis
