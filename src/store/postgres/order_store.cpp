#include "store/postgres/order_store.hpp"

#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/postgres/pg_time.hpp"

namespace seckill::store::postgres {

namespace {

// One statement, so one round trip and an implicit transaction:
//  - plain `on conflict do nothing` covers both the primary key and (user_id, voucher_id);
//  - only the rows actually inserted (`returning`) lower the stock;
//  - the voucher rows are locked after the inserts, so batches on one hot voucher insert side
//    by side and queue only for the short stock update and the commit; and they are locked in
//    id order (`locked`: materialized, FOR UPDATE above the sort), so two batches over vouchers
//    {A, B} cannot take them in opposite orders. A batch waiting on another's uncommitted order
//    (same id, or same user and voucher) holds no voucher lock yet;
//  - rows are inserted in id order: two batches replaying the same orders in different orders
//    would otherwise each wait for the other's uncommitted row (a deadlock, found only after
//    deadlock_timeout).
constexpr PgStatement kInsertOrders{"orders_insert_batch", R"(
with inserted as (
  insert into orders (id, user_id, voucher_id, created_at)
  select * from unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::timestamptz[])
    as t(id, user_id, voucher_id, created_at)
  order by id
  on conflict do nothing
  returning voucher_id
),
taken as (
  select voucher_id, count(*) as n from inserted group by voucher_id
),
locked as materialized (
  select v.id, taken.n from vouchers v join taken on taken.voucher_id = v.id
  order by v.id for no key update of v
),
updated as (
  update vouchers v set stock_left = v.stock_left - locked.n
  from locked where v.id = locked.id
  returning locked.n
)
select coalesce(sum(n), 0)::bigint from updated)"};

// Rows of a batch whose id is stored for another order (a reused id: a block of ids issued
// twice). A new statement, so it sees what a concurrent batch committed while the insert waited
// on it; the insert's own rows match themselves.
constexpr PgStatement kSelectReusedIds{"orders_select_reused_ids", R"(
select t.id, o.user_id, o.voucher_id, t.user_id, t.voucher_id
from unnest($1::bigint[], $2::bigint[], $3::bigint[]) as t(id, user_id, voucher_id)
join orders o on o.id = t.id
where (o.user_id, o.voucher_id) <> (t.user_id, t.voucher_id)
order by t.id limit 1)"};

constexpr PgStatement kSelectOrder{"order_select",
                                   "select id, user_id, voucher_id, " SECKILL_PG_MICROS(
                                       "created_at") " from orders where id = $1"};
constexpr PgStatement kCountOrders{"order_count",
                                   "select count(*) from orders where voucher_id = $1"};

// A left join, so a voucher without orders still gives its row (user and order null).
constexpr PgStatement kSelectStoreView{"order_store_view", R"(
select v.stock_total, v.stock_left, o.user_id, o.id
from vouchers v left join orders o on o.voucher_id = v.id
where v.id = $1)"};
// One voucher's orders, or one user's, by id descending from below $3 (indexes (voucher_id, id)
// and (user_id, id), migration 3).
constexpr PgStatement kSelectOrderPage{
    "order_select_page",
    "select id, user_id, voucher_id, " SECKILL_PG_MICROS(
        "created_at") " from orders where ($1::bigint is null or voucher_id = $1)"
                      " and ($2::bigint is null or user_id = $2)"
                      " and ($3::bigint is null or id < $3) order by id desc limit $4"};

constexpr int kRetriesOnDeadlock = 3;

}  // namespace

std::int64_t insert_orders(PgConnection& c, std::span<const OrderRow> rows) {
  if (rows.empty()) return 0;
  PgArrayBuilder ids, users, vouchers, times;
  ids.reserve(rows.size(), 20);
  users.reserve(rows.size(), 20);
  vouchers.reserve(rows.size(), 20);
  times.reserve(rows.size(), 30);
  for (const auto& r : rows) {
    ids.add(r.order_id);
    users.add(r.user_id);
    vouchers.add(r.voucher_id);
    times.add(r.created_at);
  }
  const PgParam params[] = {std::move(ids).finish(), std::move(users).finish(),
                            std::move(vouchers).finish(), std::move(times).finish()};
  std::int64_t inserted = 0;
  for (int attempt = 1;; ++attempt) {
    try {
      inserted = c.exec(kInsertOrders, params).int64(0, 0);
      break;
    } catch (const PgError& e) {
      if (!e.is_retryable() || attempt >= kRetriesOnDeadlock) throw;
    }
  }
  // Every row new: nothing skipped, nothing to check (the steady state: no extra round trip).
  if (inserted == static_cast<std::int64_t>(rows.size())) return inserted;
  const PgParam keys[] = {params[0], params[1], params[2]};
  auto reused = c.exec(kSelectReusedIds, keys);
  if (reused.rows() == 0) return inserted;
  auto message = fmt::format(
      "order id {} is stored for user {} voucher {}, and this order is user {} voucher {}: an id "
      "was issued twice (the id counter lost?); the order is refused, not stored",
      reused.id(0, 0), reused.id(0, 1), reused.id(0, 2), reused.id(0, 3), reused.id(0, 4));
  spdlog::error("{}", message);
  // The rows that were new are committed; a replay of them changes nothing. This one is
  // refused (an integrity violation): the writer dead-letters it with this reason.
  throw PgError(message, std::string(kUniqueViolation));
}

std::optional<Order> select_order(PgConnection& c, std::uint64_t id) {
  auto r = c.exec(kSelectOrder, {id});
  if (r.rows() == 0) return std::nullopt;
  return Order{.id = r.id(0, 0),
               .user_id = r.id(0, 1),
               .voucher_id = r.id(0, 2),
               .created_at = r.time(0, 3),
               .status = OrderStatus::confirmed};
}

std::vector<Order> select_order_page(PgConnection& c, const sale::OrderFilter& f) {
  auto r = c.exec(kSelectOrderPage, {f.voucher_id, f.user_id, f.before_id, f.limit});
  std::vector<Order> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(Order{.id = r.id(i, 0),
                        .user_id = r.id(i, 1),
                        .voucher_id = r.id(i, 2),
                        .created_at = r.time(i, 3),
                        .status = OrderStatus::confirmed});
  }
  return out;
}

std::int64_t count_orders(PgConnection& c, std::uint64_t voucher_id) {
  return c.exec(kCountOrders, {voucher_id}).int64(0, 0);
}

std::optional<sale::StoreView> select_store_view(PgConnection& c, std::uint64_t voucher_id) {
  auto r = c.exec(kSelectStoreView, {voucher_id});
  if (r.rows() == 0) return std::nullopt;
  sale::StoreView view{.voucher_id = voucher_id,
                       .stock_total = r.int64(0, 0),
                       .stock_left = r.int64(0, 1),
                       .orders = {},
                       .second_orders = {}};
  for (int row = 0; row < r.rows(); ++row) {
    if (r.is_null(row, 2)) continue;
    view.orders.emplace(r.id(row, 2), r.id(row, 3));
  }
  return view;
}

boost::asio::awaitable<std::int64_t> PgOrderStore::write_orders(std::vector<OrderRow> rows) {
  auto job = [rows = std::move(rows)](PgConnection& c) -> std::int64_t {
    try {
      return insert_orders(c, rows);
    } catch (const PgError& e) {
      throw_for_writer(e);  // a read-only store after a failover is an outage, not poison
    }
  };
  co_return co_await pool_.run(std::move(job));
}

boost::asio::awaitable<std::optional<Order>> PgOrderStore::find_order(std::uint64_t id) {
  auto job = [id](PgConnection& c) { return select_order(c, id); };
  co_return co_await pool_.run(std::move(job));
}

boost::asio::awaitable<std::vector<Order>> PgOrderStore::find_orders(sale::OrderFilter f) {
  auto job = [f](PgConnection& c) { return select_order_page(c, f); };
  co_return co_await pool_.run(std::move(job));
}

boost::asio::awaitable<std::int64_t> PgOrderStore::count_orders(std::uint64_t voucher_id) {
  auto job = [voucher_id](PgConnection& c) { return postgres::count_orders(c, voucher_id); };
  co_return co_await pool_.run(std::move(job));
}

boost::asio::awaitable<std::optional<sale::StoreView>> PgOrderStore::store_view(
    std::uint64_t voucher_id) {
  auto job = [voucher_id](PgConnection& c) { return select_store_view(c, voucher_id); };
  co_return co_await pool_.run(std::move(job));
}

}  // namespace seckill::store::postgres
