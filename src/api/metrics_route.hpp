#pragma once
// GET /metrics (CONTRACT.md, "Operations"): the Prometheus text format.
//
// Families (every name starts with `seckill_`):
//   http_requests_total{method,route,status}, http_request_duration_seconds{method,route}
//                                       (route is the pattern, e.g. /api/v1/vouchers/{id:u64})
//   http_open_connections               connections open now
//   orders_taken_total{voucher}, order_refusals_total{voucher,reason}   on this instance
//   voucher_stock_left{voucher}, voucher_stock{voucher}   vouchers whose sale is open
//   reminder_queue_size{status}, reminders_overdue              the staff queue, all instances
// A scrape's cost does not grow with the queue or the store: the figures read from the store
// are cached for a second (see below), the per-voucher series bounded.
//   plus what the mode adds (Redis, PostgreSQL, SQLite, the writers: see app/ *_backend.cpp).

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "http/router.hpp"
#include "remind/reminder_service.hpp"
#include "sale/sale_service.hpp"

namespace seckill::api {

/// Appends some families to a scrape. May co_await (stock and the queue come from the store,
/// through a one-second cache); an exception skips this source for this scrape (logged), the
/// others still answer.
using MetricsSource = std::function<boost::asio::awaitable<void>(std::string& out)>;

/// Adds GET /metrics for anyone (like /healthz: scrapers carry no token; bind the service to a
/// private address, or use a listener of its own). The RequestMetrics of `counted` (null:
/// `router`; else it must outlive `router`) come first when set.
void add_metrics_route(http::Router& router, std::vector<MetricsSource> sources,
                       const http::Router* counted = nullptr);

/// Orders taken and refused per voucher (counted as they happen), and stock left of the
/// vouchers on sale now (read from the store at most once a second, shared by the scrapes).
/// Both for the newest 100 vouchers this instance has seen at most.
std::vector<MetricsSource> sale_metrics(sale::SaleService& sale);

/// The staff queue's size by status, and how many open records are overdue: read from the store
/// at most once a second (one refresh at a time, its figures shared by every scrape meanwhile).
MetricsSource reminder_metrics(remind::ReminderService& reminders);

}  // namespace seckill::api
