#pragma once
// The whole store read for `seckill check`: every voucher with its orders, every reminder record
// with its users, each in one snapshot (repeatable read), shaped as the audits of the sale and
// the reminders (sale/sale_audit.hpp, remind/reminder_audit.hpp) take them. Reads everything:
// an operator's tool, never a request path.

#include <vector>

#include "remind/reminder_audit.hpp"
#include "sale/sale_audit.hpp"
#include "store/postgres/pg_connection.hpp"

namespace seckill::store::postgres {

/// Every voucher by id, with its orders (a user's orders beyond their first in second_orders).
/// Throws what PgConnection throws.
std::vector<sale::StoreView> select_audit_vouchers(PgConnection& c);

/// Every reminder record by id, with its users. Throws what PgConnection throws.
std::vector<remind::StoredReminder> select_audit_reminders(PgConnection& c);

}  // namespace seckill::store::postgres
