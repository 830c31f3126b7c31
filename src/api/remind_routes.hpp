#pragma once
// The reminders' HTTP routes (CONTRACT.md, "Reminders on a fault ticket"):
//
//   POST /api/v1/tickets/{ticket}/reminders   any token      201 {"reminder_id", "new_record"}
//   GET  /api/v1/tickets/{ticket}/reminders   any token      200 {"reminders": [record...]}
//        (staff and admins see every record of the ticket; a user the records that include them)
//   GET  /api/v1/reminders?status=&limit=&cursor=  staff, admin  200 {"reminders": [...], "cursor"}
//   POST /api/v1/reminders/{id}/ack           staff, admin   200 the record, acked
//   POST /api/v1/reminders/{id}/resolve       staff, admin   200 the record, resolved
//
// A record is {"id","ticket","status","first_at","last_at","acked_by","acked_at","resolved_at",
// "users":[{"user_id","at"}]} (ids as decimal strings, absent times and acked_by as null); in the
// queue each also has "user_count" and "overdue" (open longer than --reminder-sla). The queue's
// "cursor" is null on the last page. Reads come from the store, which lags an accepted reminder
// by the writer's delay (milliseconds): a record just opened may be missing from a read, and
// ack/resolve of it answer 404 until it is stored.

#include "http/router.hpp"
#include "remind/reminder_service.hpp"

namespace seckill::api {

/// `reminders` must outlive the router.
void add_remind_routes(http::Router& router, remind::ReminderService& reminders);

}  // namespace seckill::api
