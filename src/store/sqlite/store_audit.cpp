#include "store/sqlite/store_audit.hpp"

#include <map>

#include "store/sqlite/read_snapshot.hpp"

namespace seckill::store::sqlite {

namespace {

constexpr std::string_view kVouchers =
    "select id, stock_total, stock_left from vouchers order by id";
constexpr std::string_view kOrders = "select voucher_id, user_id, id from orders order by id";
constexpr std::string_view kReminders =
    "select id, ticket, status, first_at, last_at from reminders order by id";
constexpr std::string_view kReminderUsers = "select reminder_id, user_id, at from reminder_users";

}  // namespace

std::vector<sale::StoreView> select_audit_vouchers(SqliteConnection& c) {
  return read_snapshot(c, [&c] {
    std::map<std::uint64_t, sale::StoreView> views;
    auto vouchers = c.query(kVouchers);
    while (vouchers.step()) {
      auto id = vouchers.id(0);
      views[id] = sale::StoreView{.voucher_id = id,
                                  .stock_total = vouchers.int64(1),
                                  .stock_left = vouchers.int64(2),
                                  .orders = {},
                                  .second_orders = {}};
    }
    auto orders = c.query(kOrders);
    while (orders.step()) {
      auto& view = views[orders.id(0)];
      if (!view.orders.emplace(orders.id(1), orders.id(2)).second)
        view.second_orders.push_back(orders.id(2));
    }
    std::vector<sale::StoreView> out;
    out.reserve(views.size());
    for (auto& [id, view] : views)
      out.push_back(std::move(view));
    return out;
  });
}

std::vector<remind::StoredReminder> select_audit_reminders(SqliteConnection& c) {
  return read_snapshot(c, [&c] {
    std::vector<remind::StoredReminder> out;
    std::map<std::uint64_t, std::size_t> index;
    auto records = c.query(kReminders);
    while (records.step()) {
      index.emplace(records.id(0), out.size());
      out.push_back(remind::StoredReminder{.id = records.id(0),
                                           .ticket = records.text(1),
                                           .status = records.text(2),
                                           .first_at = records.time(3),
                                           .last_at = records.time(4),
                                           .users = {}});
    }
    auto users = c.query(kReminderUsers);
    while (users.step()) {
      auto it = index.find(users.id(0));
      if (it != index.end()) out[it->second].users.emplace(users.id(1), users.time(2));
    }
    return out;
  });
}

}  // namespace seckill::store::sqlite
