#include "store/postgres/pg_stock_gate.hpp"

#include "store/postgres/pg_error.hpp"

namespace seckill::store::postgres {

namespace asio = boost::asio;

namespace {

constexpr PgStatement kHeld{"stock_gate_held",
                            "select id from orders where user_id = $1 and voucher_id = $2"};
// The window is checked at the order's own time, the one the sale checked it at.
constexpr PgStatement kTake{"stock_gate_take",
                            "update vouchers set stock_left = stock_left - 1 "
                            "where id = $1 and stock_left > 0 and begin_at <= $2 and $2 < end_at "
                            "returning stock_left"};
constexpr PgStatement kExists{"stock_gate_exists", "select 1 from vouchers where id = $1"};
constexpr PgStatement kInsert{"stock_gate_insert",
                              "insert into orders (id, user_id, voucher_id, created_at) "
                              "values ($1, $2, $3, $4) on conflict do nothing"};

/// Another purchase of the same user committed first: undo the decrement.
struct LostToSameUser {};

constexpr int kRetriesOnSerialization = 3;

}  // namespace

sale::TakeResult take_order_in_transaction(PgConnection& c, const Order& order) {
  for (int attempt = 1;; ++attempt) {
    try {
      return c.transaction([&](PgConnection& tx) -> sale::TakeResult {
        sale::TakeResult result;
        if (auto held = tx.exec(kHeld, {order.user_id, order.voucher_id}); held.rows() > 0) {
          result.outcome = sale::TakeOutcome::already_ordered;
          result.held_order_id = held.id(0, 0);
          return result;
        }
        auto taken = tx.exec(kTake, {order.voucher_id, order.created_at});
        if (taken.rows() == 0) {
          result.outcome = tx.exec(kExists, {order.voucher_id}).rows() == 0
                               ? sale::TakeOutcome::unknown_voucher
                               : sale::TakeOutcome::sold_out;
          return result;
        }
        // The voucher row is locked until commit, so of two purchases by one user the second
        // waits here, then finds the first's order: `do nothing`, and the decrement is undone.
        if (tx.exec(kInsert, {order.id, order.user_id, order.voucher_id, order.created_at})
                .affected_rows() == 0) {
          throw LostToSameUser{};
        }
        result.outcome = sale::TakeOutcome::taken;
        result.stock_left = taken.int64(0, 0);
        result.stored = true;
        return result;
      });
    } catch (const LostToSameUser&) {
      // Rolled back; the order that won is committed, so a plain read finds it.
      sale::TakeResult result;
      result.outcome = sale::TakeOutcome::already_ordered;
      if (auto held = c.exec(kHeld, {order.user_id, order.voucher_id}); held.rows() > 0) {
        result.held_order_id = held.id(0, 0);
      }
      return result;
    } catch (const PgError& e) {
      if (!e.is_retryable() || attempt >= kRetriesOnSerialization) throw;
    }
  }
}

asio::awaitable<void> PgStockGate::load(Voucher voucher) {
  (void)voucher;
  co_return;
}

asio::awaitable<sale::TakeResult> PgStockGate::take(Order order) {
  auto job = [order](PgConnection& c) { return take_order_in_transaction(c, order); };
  co_return co_await pool_.run(std::move(job));
}

asio::awaitable<std::optional<std::int64_t>> PgStockGate::stock_left(std::uint64_t voucher_id) {
  (void)voucher_id;
  co_return std::nullopt;
}

asio::awaitable<std::optional<Order>> PgStockGate::find_pending(std::uint64_t order_id) {
  (void)order_id;
  co_return std::nullopt;
}

}  // namespace seckill::store::postgres
