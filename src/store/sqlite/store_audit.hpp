#pragma once
// The whole embedded store read for `seckill check --data DIR`: every voucher with its orders,
// every reminder record with its users, each in one read transaction, shaped as the audits of
// the sale and the reminders take them. Reads everything: an operator's tool.

#include <vector>

#include "remind/reminder_audit.hpp"
#include "sale/sale_audit.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace seckill::store::sqlite {

/// Every voucher by id, with its orders (a user's orders beyond their first in second_orders).
/// Throws SqliteError.
std::vector<sale::StoreView> select_audit_vouchers(SqliteConnection& c);

/// Every reminder record by id, with its users. Throws SqliteError.
std::vector<remind::StoredReminder> select_audit_reminders(SqliteConnection& c);

}  // namespace seckill::store::sqlite
