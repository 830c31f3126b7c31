#include "store/postgres/store_audit.hpp"

#include <map>

#include "store/postgres/pg_time.hpp"

namespace seckill::store::postgres {

namespace {

constexpr std::string_view kSnapshot = "set transaction isolation level repeatable read";
constexpr std::string_view kVouchers =
    "select id, stock_total, stock_left from vouchers order by id";
constexpr std::string_view kOrders = "select voucher_id, user_id, id from orders order by id";
constexpr std::string_view kReminders = "select id, ticket, status, " SECKILL_PG_MICROS(
    "first_at") ", " SECKILL_PG_MICROS("last_at") " from reminders order by id";
constexpr std::string_view kReminderUsers =
    "select reminder_id, user_id, " SECKILL_PG_MICROS("at") " from reminder_users";

}  // namespace

std::vector<sale::StoreView> select_audit_vouchers(PgConnection& c) {
  return c.transaction([](PgConnection& tx) {
    tx.exec(kSnapshot);
    std::map<std::uint64_t, sale::StoreView> views;
    auto vouchers = tx.exec(kVouchers);
    for (int r = 0; r < vouchers.rows(); ++r) {
      auto id = vouchers.id(r, 0);
      views[id] = sale::StoreView{.voucher_id = id,
                                  .stock_total = vouchers.int64(r, 1),
                                  .stock_left = vouchers.int64(r, 2),
                                  .orders = {},
                                  .second_orders = {}};
    }
    auto orders = tx.exec(kOrders);
    for (int r = 0; r < orders.rows(); ++r) {
      auto& view = views[orders.id(r, 0)];
      if (!view.orders.emplace(orders.id(r, 1), orders.id(r, 2)).second)
        view.second_orders.push_back(orders.id(r, 2));
    }
    std::vector<sale::StoreView> out;
    out.reserve(views.size());
    for (auto& [id, view] : views)
      out.push_back(std::move(view));
    return out;
  });
}

std::vector<remind::StoredReminder> select_audit_reminders(PgConnection& c) {
  return c.transaction([](PgConnection& tx) {
    tx.exec(kSnapshot);
    std::vector<remind::StoredReminder> out;
    std::map<std::uint64_t, std::size_t> index;
    auto records = tx.exec(kReminders);
    for (int r = 0; r < records.rows(); ++r) {
      index.emplace(records.id(r, 0), out.size());
      out.push_back(remind::StoredReminder{.id = records.id(r, 0),
                                           .ticket = std::string(records.text(r, 1)),
                                           .status = std::string(records.text(r, 2)),
                                           .first_at = records.time(r, 3),
                                           .last_at = records.time(r, 4),
                                           .users = {}});
    }
    auto users = tx.exec(kReminderUsers);
    for (int r = 0; r < users.rows(); ++r) {
      auto it = index.find(users.id(r, 0));
      if (it != index.end()) out[it->second].users.emplace(users.id(r, 1), users.time(r, 2));
    }
    return out;
  });
}

}  // namespace seckill::store::postgres
