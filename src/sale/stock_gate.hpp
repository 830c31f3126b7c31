#pragma once
// The coordinator of a sale: the one place, shared by every instance, that decides whether a
// user gets one of a voucher's units. Implemented by Redis (a Lua script) and, embedded, in
// process memory. It decides atomically, so stock never goes below zero and a user never holds
// two orders of one voucher, however many instances ask at once.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/order.hpp"
#include "core/voucher.hpp"

namespace seckill::sale {

enum class TakeOutcome {
  taken,            ///< a unit was taken for this order; the order is queued for the store
  sold_out,         ///< no unit left
  already_ordered,  ///< this user already holds an order of this voucher
  unknown_voucher,  ///< the coordinator holds no stock for this voucher: its state is lost (or was
                    ///< never loaded), to be rebuilt from the store (sale/stock_rebuild.hpp)
};

struct TakeResult {
  TakeOutcome outcome = TakeOutcome::unknown_voucher;
  /// With `taken`: units left after this one (-1: taken, but the count is not known).
  std::int64_t stock_left = 0;
  /// With `taken`: the order is already in the store (embedded mode: the answer waits for the
  /// commit), so it is `confirmed` at once rather than `pending`.
  bool stored = false;
  /// With `already_ordered`: the order the user holds (0 when the coordinator cannot tell).
  std::uint64_t held_order_id = 0;
};

/// A buyer of a voucher and the order they hold.
struct Buyer {
  std::uint64_t user_id = 0;
  std::uint64_t order_id = 0;
};

class StockGate {
 public:
  virtual ~StockGate() = default;

  /// Makes the voucher's stock known to the coordinator. Idempotent: a voucher already loaded
  /// keeps its current stock and buyers. Throws InfraError.
  virtual boost::asio::awaitable<void> load(Voucher voucher) = 0;

  /// Takes one unit of `order.voucher_id` for `order.user_id` and queues `order` for the store,
  /// atomically. Throws InfraError when the coordinator cannot be reached; then nothing is
  /// taken (or, if the failure came after the decision, the order is queued and will be stored
  /// — it is never half-taken).
  virtual boost::asio::awaitable<TakeResult> take(Order order) = 0;

  /// Units left as the coordinator sees them, or nullopt if the voucher is not loaded.
  virtual boost::asio::awaitable<std::optional<std::int64_t>> stock_left(
      std::uint64_t voucher_id) = 0;

  /// An order that was taken but may not be in the store yet, or nullopt.
  virtual boost::asio::awaitable<std::optional<Order>> find_pending(std::uint64_t order_id) = 0;

  /// Every order of the voucher taken but maybe not in the store yet (a store read after this
  /// call holds every order this missed). Empty where every order taken is stored at once.
  virtual boost::asio::awaitable<std::vector<Order>> pending_orders(std::uint64_t voucher_id) {
    (void)voucher_id;
    co_return std::vector<Order>{};
  }

  /// The same for one user's orders of every voucher.
  virtual boost::asio::awaitable<std::vector<Order>> pending_orders_of_user(std::uint64_t user_id) {
    (void)user_id;
    co_return std::vector<Order>{};
  }

  /// Every user holding an order of a sold-out voucher, with that order (the set is final once sold
  /// out), so an instance can answer both sold_out and already_ordered without asking again.
  /// nullopt when the coordinator does not offer it (then every request asks the coordinator).
  virtual boost::asio::awaitable<std::optional<std::vector<Buyer>>> buyers(
      std::uint64_t voucher_id) {
    (void)voucher_id;
    co_return std::nullopt;
  }

  /// Claims the rebuild of a voucher whose state the coordinator lost, for `ttl` (a marker shared
  /// by every instance: one instance rebuilds; a claim whose holder died expires). True if this
  /// caller (`owner`, unique per attempt) holds it. Gates whose state cannot be lost apart from
  /// the store need no claim. Throws InfraError.
  virtual boost::asio::awaitable<bool> claim_rebuild(std::uint64_t voucher_id, std::string owner,
                                                     std::chrono::milliseconds ttl) {
    (void)voucher_id;
    (void)owner;
    (void)ttl;
    co_return true;
  }

  /// Puts back a lost voucher's state: `stock_left` units and `buyers`, and the voucher is sold
  /// again. Only while `owner` still holds the claim, and only if the voucher is still absent
  /// (never overwrites live state); returns whether it did. Throws InfraError. The default loads
  /// the stock alone, for gates whose buyers live in the store.
  virtual boost::asio::awaitable<bool> restore_lost(Voucher voucher, std::int64_t stock_left,
                                                    std::vector<Buyer> buyers, std::string owner) {
    (void)buyers;
    (void)owner;
    voucher.stock_left = stock_left;
    co_await load(std::move(voucher));
    co_return true;
  }
};

}  // namespace seckill::sale
