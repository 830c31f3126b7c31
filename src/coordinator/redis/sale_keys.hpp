#pragma once
// The names of the sale's Redis keys, in one place. Every key of one voucher carries the hash
// tag {v:ID}, so the scripts that touch several of them run on one Redis Cluster slot.

#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/decimal.hpp"

namespace seckill::coordinator::redis {

struct SaleKeys {
  explicit SaleKeys(std::uint64_t voucher_id) : SaleKeys(Tag(voucher_id, 0).view()) {}

  std::string stock;   ///< units left
  std::string buyers;  ///< hash user_id -> order_id
  std::string orders;  ///< stream of taken orders
  std::string dead;    ///< stream of orders the store refused for good, with the reason

  /// The keys of stock bucket `bucket` of a voucher split over several (--stock-buckets):
  /// bucket 0 is the voucher's own keys above (so one bucket is exactly the unsplit layout),
  /// bucket b > 0 carries the tag {v:ID:b}, another slot.
  SaleKeys(std::uint64_t voucher_id, unsigned bucket) : SaleKeys(Tag(voucher_id, bucket).view()) {}

 private:
  /// "{v:ID}" or "{v:ID:B}", formatted on the stack: the keys are built for every purchase, and
  /// plain appends cost a fraction of fmt::format.
  class Tag {
   public:
    Tag(std::uint64_t voucher_id, unsigned bucket) {
      char* p = put(buf_, "{v:");
      p = std::to_chars(p, buf_ + sizeof buf_, voucher_id).ptr;
      if (bucket != 0) {
        *p++ = ':';
        p = std::to_chars(p, buf_ + sizeof buf_, bucket).ptr;
      }
      *p++ = '}';
      size_ = static_cast<std::size_t>(p - buf_);
    }
    std::string_view view() const { return {buf_, size_}; }

   private:
    static char* put(char* p, std::string_view s) {
      std::memcpy(p, s.data(), s.size());
      return p + s.size();
    }
    char buf_[48];  // "{v:" + 20 digits + ":" + 10 digits + "}"
    std::size_t size_ = 0;
  };

  explicit SaleKeys(std::string_view tag)
      : stock(join(tag, ":stock")),
        buyers(join(tag, ":buyers")),
        orders(join(tag, ":orders")),
        dead(join(tag, ":orders:dead")) {}

  static std::string join(std::string_view a, std::string_view b) {
    std::string out;
    out.reserve(a.size() + b.size());
    out.append(a).append(b);
    return out;
  }
};

/// The member of kVoucherSetKey that names bucket `bucket` of a voucher: "ID" for bucket 0 (so
/// an unsplit voucher is its plain id), "ID:b" for bucket b > 0.
inline std::string voucher_member(std::uint64_t voucher_id, unsigned bucket) {
  return bucket == 0 ? std::to_string(voucher_id) : fmt::format("{}:{}", voucher_id, bucket);
}

/// A member of kVoucherSetKey read back (voucher_member's inverse).
struct VoucherMember {
  std::uint64_t voucher_id = 0;
  unsigned bucket = 0;
};

/// nullopt for a member of any other shape than voucher_member writes.
inline std::optional<VoucherMember> parse_voucher_member(std::string_view member) {
  const auto colon = member.find(':');
  auto voucher = parse_decimal<std::uint64_t>(member.substr(0, colon));
  if (!voucher) return std::nullopt;
  if (colon == std::string_view::npos) return VoucherMember{*voucher, 0};
  auto bucket = parse_decimal<unsigned>(member.substr(colon + 1));
  if (!bucket) return std::nullopt;
  return VoucherMember{*voucher, *bucket};
}

/// The claim on rebuilding a voucher the coordinator lost (sale/stock_rebuild.hpp): in the
/// voucher's own slot, beside bucket 0's keys.
inline std::string rebuild_claim_key(std::uint64_t voucher_id) {
  return fmt::format("{{v:{}}}:rebuild", voucher_id);
}

/// The set of loaded voucher ids: where order writers find the streams to read.
inline constexpr const char* kVoucherSetKey = "seckill:vouchers";
/// The consumer group of the order writers on every order stream.
inline constexpr const char* kWriterGroup = "order-writers";
/// Channel on which an instance announces a voucher it saw sell out.
inline constexpr const char* kSoldOutChannel = "seckill:sold-out";
/// Channel on which an instance announces a sale an admin ended early: "VOUCHER_ID:END_AT" (end_at
/// in microseconds since the epoch), so every instance's voucher cache stops selling.
inline constexpr const char* kEndedChannel = "seckill:ended";

/// "order -> voucher, user, time" for an order not yet in the store, so any instance can answer
/// GET /orders/{id} with `pending` (it expires; by then the store has the order).
inline std::string pending_order_key(std::uint64_t order_id) {
  constexpr std::string_view kPrefix = "seckill:order:";
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, order_id).ptr;
  std::string key;
  key.reserve(kPrefix.size() + static_cast<std::size_t>(end - digits));
  key.append(kPrefix).append(digits, end);
  return key;
}

}  // namespace seckill::coordinator::redis
