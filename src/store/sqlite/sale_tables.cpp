#include "store/sqlite/sale_tables.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace seckill::store::sqlite {

namespace {

#define SECKILL_VOUCHER_COLUMNS "id, title, stock_total, stock_left, begin_at, end_at, created_at"

constexpr std::string_view kInsertVoucher =
    "insert into vouchers (id, title, stock_total, stock_left, begin_at, end_at, created_at) "
    "values (?1, ?2, ?3, ?3, ?4, ?5, ?6)";
constexpr std::string_view kSelectVoucher =
    "select " SECKILL_VOUCHER_COLUMNS " from vouchers where id = ?1";
constexpr std::string_view kSelectVouchers =
    "select " SECKILL_VOUCHER_COLUMNS " from vouchers order by id";
// Plain `on conflict do nothing` covers both the primary key and (user_id, voucher_id), and
// only uniqueness: a missing voucher still fails (foreign key).
constexpr std::string_view kInsertOrder =
    "insert into orders (id, user_id, voucher_id, created_at) values (?1, ?2, ?3, ?4) "
    "on conflict do nothing";
constexpr std::string_view kTakeStock =
    "update vouchers set stock_left = stock_left - ?1 where id = ?2";
constexpr std::string_view kSelectOrder =
    "select id, user_id, voucher_id, created_at from orders where id = ?1";
constexpr std::string_view kSelectBuyers =
    "select voucher_id, user_id, id from orders order by voucher_id";
// ?2: 0 every voucher, 1 upcoming, 2 live, 3 ended (VoucherStatus + 1), judged at ?3 as
// core/voucher.hpp's sale_window does. By the primary key, descending, from below ?1.
constexpr std::string_view kSelectVoucherPage =
    "select " SECKILL_VOUCHER_COLUMNS
    " from vouchers where id < ?1 and (?2 = 0 or (?2 = 1 and begin_at > ?3)"
    " or (?2 = 2 and begin_at <= ?3 and end_at > ?3) or (?2 = 3 and begin_at <= ?3 and end_at <= "
    "?3)) order by id desc limit ?4";
constexpr std::string_view kEndVoucher =
    "update vouchers set end_at = min(end_at, ?2), begin_at = min(begin_at, ?2) where id = ?1";
// One voucher's orders (index orders_voucher_id_idx, whose entries end in the id) or one user's
// (orders_user_id_idx, schema 5), by id descending from below ?1. Two statements, so each
// has the plain equality its index needs.
constexpr std::string_view kSelectVoucherOrderPage =
    "select id, user_id, voucher_id, created_at from orders where voucher_id = ?2 and id < ?1 "
    "and (?3 is null or user_id = ?3) order by id desc limit ?4";
constexpr std::string_view kSelectUserOrderPage =
    "select id, user_id, voucher_id, created_at from orders where user_id = ?2 and id < ?1 "
    "order by id desc limit ?4";
constexpr std::string_view kSelectOrderPage =
    "select id, user_id, voucher_id, created_at from orders where id < ?1 "
    "order by id desc limit ?4";
constexpr std::string_view kBegin = "begin";
constexpr std::string_view kCommit = "commit";
constexpr std::string_view kRollback = "rollback";
// Each max(id) of an integer primary key is one step to the end of its b-tree.
constexpr std::string_view kMaxId =
    "select max(coalesce((select value from meta where key = 'max_id'), 0), "
    "coalesce((select max(id) from vouchers), 0), coalesce((select max(id) from orders), 0), "
    "coalesce((select max(id) from reminders), 0))";
constexpr std::string_view kRaiseMaxId =
    "insert into meta (key, value) values ('max_id', ?1) "
    "on conflict (key) do update set value = max(value, excluded.value)";

// Every id has bit 63 clear (CONTRACT.md, "Ids"): "below this" is "any".
constexpr std::int64_t kAboveEveryId = std::numeric_limits<std::int64_t>::max();

std::int64_t below(std::optional<std::uint64_t> before_id) {
  return before_id ? static_cast<std::int64_t>(*before_id) : kAboveEveryId;
}

Order read_order(const Query& q) {
  return Order{.id = q.id(0),
               .user_id = q.id(1),
               .voucher_id = q.id(2),
               .created_at = q.time(3),
               .status = OrderStatus::confirmed};
}

Voucher read_voucher(const Query& q) {
  Voucher v;
  v.id = q.id(0);
  v.title = q.text(1);
  v.stock_total = q.int64(2);
  v.stock_left = q.int64(3);
  v.begin_at = q.time(4);
  v.end_at = q.time(5);
  v.created_at = q.time(6);
  return v;
}

}  // namespace

Voucher insert_voucher(SqliteConnection& c, std::uint64_t id, const NewVoucher& v, SysTime now) {
  c.query(kInsertVoucher)
      .bind_id(1, id)
      .bind_text(2, v.title)
      .bind(3, v.stock)
      .bind_time(4, v.begin_at)
      .bind_time(5, v.end_at)
      .bind_time(6, now)
      .run();
  raise_max_id(c, id);
  return Voucher{.id = id,
                 .title = v.title,
                 .stock_total = v.stock,
                 .stock_left = v.stock,
                 .begin_at = stored_time(v.begin_at),
                 .end_at = stored_time(v.end_at),
                 .created_at = stored_time(now)};
}

std::optional<Voucher> select_voucher(SqliteConnection& c, std::uint64_t id) {
  auto q = c.query(kSelectVoucher);
  q.bind_id(1, id);
  if (!q.step()) return std::nullopt;
  return read_voucher(q);
}

std::vector<Voucher> select_vouchers(SqliteConnection& c) {
  std::vector<Voucher> out;
  auto q = c.query(kSelectVouchers);
  while (q.step())
    out.push_back(read_voucher(q));
  return out;
}

namespace {

// `o` was skipped: the same order again is fine; an order of another user or voucher under its
// id (an id issued twice) is refused loudly, never taken for stored.
void refuse_reused_id(SqliteConnection& c, const Order& o) {
  auto stored = select_order(c, o.id);
  if (!stored || (stored->user_id == o.user_id && stored->voucher_id == o.voucher_id)) return;
  auto message = fmt::format(
      "order id {} is stored for user {} voucher {}, and this order is user {} voucher {}: an id "
      "was issued twice; the order is refused, not stored",
      o.id, stored->user_id, stored->voucher_id, o.user_id, o.voucher_id);
  spdlog::error("{}", message);
  throw SqliteError(message, SQLITE_CONSTRAINT_PRIMARYKEY);
}

}  // namespace
std::vector<Voucher> select_voucher_page(SqliteConnection& c, const sale::VoucherFilter& f) {
  const std::int64_t status = f.status ? static_cast<std::int64_t>(*f.status) + 1 : 0;
  std::vector<Voucher> out;
  auto q = c.query(kSelectVoucherPage);
  q.bind(1, below(f.before_id)).bind(2, status).bind_time(3, f.now).bind(4, f.limit);
  while (q.step())
    out.push_back(read_voucher(q));
  return out;
}

std::optional<Voucher> end_voucher(SqliteConnection& c, std::uint64_t id, SysTime now) {
  c.query(kEndVoucher).bind_id(1, id).bind_time(2, now).run();
  return select_voucher(c, id);
}

std::vector<Order> select_order_page(SqliteConnection& c, const sale::OrderFilter& f) {
  std::vector<Order> out;
  auto q = c.query(f.voucher_id ? kSelectVoucherOrderPage
                   : f.user_id  ? kSelectUserOrderPage
                                : kSelectOrderPage);
  q.bind(1, below(f.before_id)).bind(4, f.limit);
  if (f.voucher_id) {
    q.bind_id(2, *f.voucher_id);
    if (f.user_id) q.bind_id(3, *f.user_id);
  } else if (f.user_id) {
    q.bind_id(2, *f.user_id);
  }
  while (q.step())
    out.push_back(read_order(q));
  return out;
}

std::int64_t insert_orders(SqliteConnection& c, std::span<const Order> orders) {
  std::map<std::uint64_t, std::int64_t> taken;  // voucher -> orders inserted
  std::uint64_t max_id = 0;
  std::int64_t inserted = 0;
  for (const auto& o : orders) {
    auto n = c.query(kInsertOrder)
                 .bind_id(1, o.id)
                 .bind_id(2, o.user_id)
                 .bind_id(3, o.voucher_id)
                 .bind_time(4, o.created_at)
                 .run();
    if (n > 0) {
      taken[o.voucher_id] += n;
      inserted += n;
    } else {
      refuse_reused_id(c, o);
    }
    max_id = std::max(max_id, o.id);
  }
  for (const auto& [voucher_id, n] : taken)
    c.query(kTakeStock).bind(1, n).bind_id(2, voucher_id).run();
  if (max_id != 0) raise_max_id(c, max_id);
  return inserted;
}

std::optional<Order> select_order(SqliteConnection& c, std::uint64_t id) {
  auto q = c.query(kSelectOrder);
  q.bind_id(1, id);
  if (!q.step()) return std::nullopt;
  return read_order(q);
}

std::vector<sale::StoreView> select_store_views(SqliteConnection& c) {
  c.query(kBegin).run();
  try {
    std::vector<sale::StoreView> views;
    std::map<std::uint64_t, std::size_t> index;
    for (const auto& v : select_vouchers(c)) {
      index.emplace(v.id, views.size());
      views.push_back({.voucher_id = v.id,
                       .stock_total = v.stock_total,
                       .stock_left = v.stock_left,
                       .orders = {},
                       .second_orders = {}});
    }
    auto q = c.query(kSelectBuyers);
    while (q.step()) {
      auto it = index.find(q.id(0));
      // The foreign key makes a miss impossible; a damaged file is not a reason to crash.
      if (it != index.end()) views[it->second].orders.emplace(q.id(1), q.id(2));
    }
    c.query(kCommit).run();
    return views;
  } catch (...) {
    if (!c.autocommit()) c.query(kRollback).run();
    throw;
  }
}

std::uint64_t select_max_id(SqliteConnection& c) {
  return static_cast<std::uint64_t>(c.scalar_int(kMaxId));
}

void raise_max_id(SqliteConnection& c, std::uint64_t id) {
  c.query(kRaiseMaxId).bind_id(1, id).run();
}

}  // namespace seckill::store::sqlite
