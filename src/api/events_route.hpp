#pragma once
// GET /api/v1/events: the dashboard's live feed, as server-sent events (text/event-stream).
//
// Every `interval_ms` (default 1000, 200..10000) one `tick` event whose data is one JSON object:
//   {"at": time,
//    "voucher": null | {"id","title","stock","stock_left","begin_at","end_at",
//                       "orders_taken": n, "refusals": {"sold_out": n, ...}},
//    "reminders": null | {"open": n, "acked": n, "overdue": n,
//                         "items": [{"id","ticket","status","first_at","last_at",
//                                    "user_count","overdue"}]}}
// `voucher` is the one asked for with `?voucher=ID` (stock_left is live, across instances;
// orders_taken and refusals are this instance's counts). `reminders` (the open and acked queue,
// oldest first, at most 100 of each) is for staff and admins only; null for users. A backend
// that fails makes one `failure` event with {"message"} and the stream goes on.
//
// Authentication: `Authorization: Bearer <token>`, or `?access_token=<token>` because a
// browser's EventSource cannot set headers. The query form is accepted on this route only; it
// never reaches a log (the server logs route patterns, not targets) and the page keeps the token
// in sessionStorage. The stream ends when the client leaves or the server stops.

#include "auth/token_verifier.hpp"
#include "http/router.hpp"
#include "remind/reminder_service.hpp"
#include "sale/sale_service.hpp"

namespace seckill::api {

/// `verifier`, `sale` and `reminders` must outlive the router.
void add_events_route(http::Router& router, const auth::TokenVerifier& verifier,
                      sale::SaleService& sale, remind::ReminderService& reminders);

}  // namespace seckill::api
