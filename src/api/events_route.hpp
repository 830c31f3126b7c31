#pragma once
// GET /api/v1/events: the dashboard's live feed, as server-sent events (text/event-stream).
//
// With `?voucher=ID`, first one `history` event: this instance's counts on that voucher per
// second over the last ten minutes (seconds without an attempt left out, oldest first):
//   {"voucher_id": "ID", "seconds": [{"at": time, "taken": n, "refusals": {"sold_out": n}}]}
// so a page opened after the rush still draws it (metrics::VoucherOutcomes::history).
// Then every `interval_ms` (default and minimum 1000, at most 10000; outside: 400 `bad_request`)
// one `tick` event whose data is one JSON object:
//   {"at": time,
//    "voucher": null | {"id","title","stock","stock_left","begin_at","end_at",
//                       "orders_taken": n, "refusals": {"sold_out": n, ...}},
//    "reminders": null | {"open": n, "acked": n, "overdue": n,
//                         "items": [{"id","ticket","status","first_at","last_at",
//                                    "user_count","overdue"}]}}
// `voucher` is the one asked for with `?voucher=ID` (stock_left is live, across instances;
// orders_taken and refusals are this instance's counts). `reminders` (the open and acked queue,
// oldest first, at most 100 of each) is for staff and admins only; null for users. A backend
// that fails makes one `failure` event with a generic {"message"} (the detail is logged with
// the request id, never sent) and the stream goes on.
//
// Authentication: `Authorization: Bearer <token>`, or `?access_token=<token>` because a
// browser's EventSource cannot set headers. The query form is accepted on this route only; it
// never reaches a log (the server logs route patterns, not targets) and the page keeps the token
// in sessionStorage.
//
// Admission: the router's Admission (rate limits) runs as for every route with a token:
// before_authentication with the client's address, then the token, then after_authentication
// with the caller. Then the caps on streams open at once on this instance: EventStreamLimits,
// per user and per client address; beyond either, 429 `rate_limited` with Retry-After.
//
// The stream ends when the client leaves, the server stops, or the token no longer verifies
// (its `exp` passed): then one last `expired` event with {"message"}, and the connection closes.

#include <cstddef>

#include "api/event_stream_caps.hpp"
#include "auth/token_verifier.hpp"
#include "http/router.hpp"
#include "remind/reminder_service.hpp"
#include "sale/sale_service.hpp"

namespace seckill::api {

/// `verifier`, `sale` and `reminders` must outlive the router. The router's admission is read
/// at each request, so set_admission() may come after this.
void add_events_route(http::Router& router, const auth::TokenVerifier& verifier,
                      sale::SaleService& sale, remind::ReminderService& reminders,
                      EventStreamLimits limits = {});

}  // namespace seckill::api
