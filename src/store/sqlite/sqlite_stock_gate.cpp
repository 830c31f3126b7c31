#include "store/sqlite/sqlite_stock_gate.hpp"

namespace seckill::store::sqlite {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kHeld = "select id from orders where user_id = ?1 and voucher_id = ?2";
constexpr std::string_view kTake =
    "update vouchers set stock_left = stock_left - 1 "
    "where id = ?1 and stock_left > 0 and begin_at <= ?2 and ?2 < end_at";
constexpr std::string_view kLeft = "select stock_left from vouchers where id = ?1";
constexpr std::string_view kInsert =
    "insert into orders (id, user_id, voucher_id, created_at) values (?1, ?2, ?3, ?4)";

// One writer thread runs every write, so nothing changes between these statements.
sale::TakeResult take_order(SqliteConnection& c, const Order& order) {
  sale::TakeResult result;
  {
    auto held = c.query(kHeld);
    held.bind_id(1, order.user_id).bind_id(2, order.voucher_id);
    if (held.step()) {
      result.outcome = sale::TakeOutcome::already_ordered;
      result.held_order_id = held.id(0);
      return result;
    }
  }
  auto taken = c.query(kTake).bind_id(1, order.voucher_id).bind_time(2, order.created_at).run();
  auto left = c.query(kLeft);
  left.bind_id(1, order.voucher_id);
  if (!left.step()) return result;  // unknown_voucher
  if (taken == 0) {
    result.outcome = sale::TakeOutcome::sold_out;
    return result;
  }
  result.stock_left = left.int64(0);
  c.query(kInsert)
      .bind_id(1, order.id)
      .bind_id(2, order.user_id)
      .bind_id(3, order.voucher_id)
      .bind_time(4, order.created_at)
      .run();
  result.outcome = sale::TakeOutcome::taken;
  result.stored = true;
  return result;
}

}  // namespace

asio::awaitable<void> SqliteStockGate::load(Voucher voucher) {
  (void)voucher;
  co_return;
}

asio::awaitable<sale::TakeResult> SqliteStockGate::take(Order order) {
  auto job = [order](SqliteConnection& c) { return take_order(c, order); };
  co_return co_await db_.write(std::move(job));
}

asio::awaitable<std::optional<std::int64_t>> SqliteStockGate::stock_left(std::uint64_t voucher_id) {
  (void)voucher_id;
  co_return std::nullopt;
}

asio::awaitable<std::optional<Order>> SqliteStockGate::find_pending(std::uint64_t order_id) {
  (void)order_id;
  co_return std::nullopt;
}

}  // namespace seckill::store::sqlite
