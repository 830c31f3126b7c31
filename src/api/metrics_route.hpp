#pragma once
// GET /metrics (CONTRACT.md, "Operations"): the Prometheus text format.
//
// Families (every name starts with `seckill_`):
//   http_requests_total{method,route,status}, http_request_duration_seconds{method,route}
//                                       (route is the pattern, e.g. /api/v1/vouchers/{id:u64})
//   http_open_connections               connections open now
//   orders_taken_total{voucher}, order_refusals_total{voucher,reason}   on this instance
//   voucher_stock_left{voucher}, voucher_stock_total{voucher}   vouchers whose sale is open
//   reminder_queue_size{status}, reminders_overdue              the staff queue, all instances
//   plus what the mode adds (Redis, PostgreSQL, SQLite, the writers: see app/ *_backend.cpp).

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "http/router.hpp"
#include "remind/reminder_service.hpp"
#include "sale/sale_service.hpp"

namespace seckill::api {

/// Appends some families to a scrape. May co_await (stock and the queue are read live); an
/// exception skips this source for this scrape (logged), the others still answer.
using MetricsSource = std::function<boost::asio::awaitable<void>(std::string& out)>;

/// Adds GET /metrics for anyone (like /healthz: scrapers carry no token; bind the service to a
/// private address). The router's own RequestMetrics come first when set.
void add_metrics_route(http::Router& router, std::vector<MetricsSource> sources);

/// Orders taken and refused per voucher, and stock left of the vouchers on sale now.
MetricsSource sale_metrics(sale::SaleService& sale);

/// The staff queue's size by status, and how many open records are overdue.
MetricsSource reminder_metrics(remind::ReminderService& reminders);

}  // namespace seckill::api
