#pragma once
// An order of one user for one voucher. At most one exists per (user, voucher): that rule is
// enforced by the coordinator when the order is taken and by the store's unique key.

#include <cstdint>
#include <string_view>

#include "core/rfc3339.hpp"

namespace seckill {

/// `pending`: taken (the stock is decided) but not yet in the store; `confirmed`: stored.
enum class OrderStatus { pending, confirmed };

inline std::string_view to_string(OrderStatus s) {
  return s == OrderStatus::pending ? "pending" : "confirmed";
}

struct Order {
  std::uint64_t id = 0;
  std::uint64_t user_id = 0;
  std::uint64_t voucher_id = 0;
  SysTime created_at;
  OrderStatus status = OrderStatus::pending;
};

}  // namespace seckill
