#pragma once
// What must hold between the coordinator and the store once every decided order is stored
// (`seckill check`). Pure: the views are read by the caller.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace seckill::sale {

/// One voucher as the store has it.
struct StoreView {
  std::uint64_t voucher_id = 0;
  std::int64_t stock_total = 0;
  std::int64_t stock_left = 0;
  std::map<std::uint64_t, std::uint64_t> orders;  ///< user_id -> order_id
  /// Orders of a user who holds one already in `orders` (the store's unique constraint forbids
  /// them; an audit read reports what it finds rather than trusting the schema).
  std::vector<std::uint64_t> second_orders;
};

/// The same voucher as the coordinator has it.
struct CoordinatorView {
  std::optional<std::int64_t> stock_left;         ///< nullopt: not loaded
  std::map<std::uint64_t, std::uint64_t> buyers;  ///< user_id -> order_id
  std::uint64_t queued = 0;                       ///< decided orders not yet stored
};

/// What the store alone must hold for every sale strategy (CONTRACT "Data kept"), as sentences
/// naming the voucher; empty when all holds: stock_left >= 0; stock_left + count(orders) =
/// stock_total; one order per user and voucher.
std::vector<std::string> audit_store(const StoreView& store);

/// Every difference, as a sentence naming the voucher; empty when all holds: audit_store; nothing
/// queued; the coordinator's stock equals the store's; the coordinator's buyers are exactly the
/// store's orders (same user, same order id). A voucher the coordinator never loaded (no sale yet)
/// must have no orders.
std::vector<std::string> audit(const StoreView& store, const CoordinatorView& coordinator);

}  // namespace seckill::sale
