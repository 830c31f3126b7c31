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

  /// The keys of stock bucket `bucket` of a voucher split over several (--stock-buckets):
  /// bucket 0 is the voucher's own keys above (so one bucket is exactly the unsplit layout),
  /// bucket b > 0 carries the tag {v:ID:b}, another slot.
  SaleKeys(std::uint64_t voucher_id, unsigned bucket)
      : SaleKeys(bucket == 0 ? SaleKeys(voucher_id)
                             : SaleKeys(fmt::format("v:{}:{}", voucher_id, bucket))) {}

 private:
  explicit SaleKeys(const std::string& tag)
      : stock(fmt::format("{{{}}}:stock", tag)),
        buyers(fmt::format("{{{}}}:buyers", tag)),
        orders(fmt::format("{{{}}}:orders", tag)),
        dead(fmt::format("{{{}}}:orders:dead", tag)) {}
};

/// The member of kVoucherSetKey that names bucket `bucket` (> 0) of a voucher: "ID:b" (bucket 0
/// is the plain "ID").
inline std::string bucket_member(std::uint64_t voucher_id, unsigned bucket) {
  return fmt::format("{}:{}", voucher_id, bucket);
}

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
