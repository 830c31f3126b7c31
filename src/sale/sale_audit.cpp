#include "sale/sale_audit.hpp"

#include <fmt/format.h>

namespace seckill::sale {

std::vector<std::string> audit_store(const StoreView& s) {
  std::vector<std::string> out;
  auto v = s.voucher_id;
  auto orders = static_cast<std::int64_t>(s.orders.size() + s.second_orders.size());
  if (s.stock_left < 0)
    out.push_back(fmt::format("voucher {}: stock_left {} < 0", v, s.stock_left));
  if (s.stock_left + orders != s.stock_total) {
    out.push_back(fmt::format("voucher {}: store stock_left {} + {} orders != stock_total {}", v,
                              s.stock_left, orders, s.stock_total));
  }
  for (auto order : s.second_orders) {
    out.push_back(
        fmt::format("voucher {}: order {} is a second order of a user who holds one", v, order));
  }
  return out;
}

std::vector<std::string> audit(const StoreView& s, const CoordinatorView& c) {
  std::vector<std::string> out = audit_store(s);
  auto v = s.voucher_id;
  auto orders = static_cast<std::int64_t>(s.orders.size());
  if (c.queued != 0) {
    out.push_back(fmt::format("voucher {}: {} decided orders not yet stored", v, c.queued));
  }
  if (!c.stock_left) {
    if (orders != 0) {
      out.push_back(
          fmt::format("voucher {}: {} orders stored but the coordinator does not know "
                      "the voucher",
                      v, orders));
    }
    return out;
  }
  if (*c.stock_left != s.stock_left) {
    out.push_back(fmt::format("voucher {}: coordinator stock {} != store stock_left {}", v,
                              *c.stock_left, s.stock_left));
  }
  for (const auto& [user, order] : c.buyers) {
    auto it = s.orders.find(user);
    if (it == s.orders.end()) {
      out.push_back(
          fmt::format("voucher {}: user {} holds order {} in the coordinator, none in "
                      "the store",
                      v, user, order));
    } else if (it->second != order) {
      out.push_back(
          fmt::format("voucher {}: user {} holds order {} in the coordinator, {} in the "
                      "store",
                      v, user, order, it->second));
    }
  }
  for (const auto& [user, order] : s.orders) {
    if (!c.buyers.contains(user)) {
      out.push_back(
          fmt::format("voucher {}: order {} of user {} is stored but the coordinator "
                      "has no such buyer",
                      v, order, user));
    }
  }
  return out;
}

}  // namespace seckill::sale
