#include "api/metrics_route.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <exception>
#include <memory>

#include <spdlog/spdlog.h>

#include "metrics/text_format.hpp"

namespace seckill::api {

namespace asio = boost::asio;
using boost::beast::http::status;
using boost::beast::http::verb;
using http::HandlerResult;

namespace {

/// A scrape reads at most this many pages of the queue (of kMaxQueueLimit records each).
constexpr int kMaxQueuePages = 20;
constexpr std::array<ReminderStatus, 2> kQueueStatuses = {ReminderStatus::open,
                                                          ReminderStatus::acked};

asio::awaitable<HandlerResult> scrape(const http::Router& router,
                                      std::shared_ptr<const std::vector<MetricsSource>> sources) {
  std::string out;
  out.reserve(16 * 1024);
  if (auto* m = router.metrics()) m->write(out);
  for (const auto& source : *sources) {
    std::string part;
    try {
      co_await source(part);
    } catch (const std::exception& e) {
      spdlog::warn("metrics: a source failed, left out of this scrape: {}", e.what());
      continue;
    }
    out += part;
  }
  co_return http::Response(status::ok, std::move(out), metrics::kTextContentType);
}

asio::awaitable<void> write_sale_metrics(sale::SaleService& sale, std::string& out) {
  auto all = sale.outcomes().all();
  metrics::write_family(out, "seckill_orders_taken_total", "counter",
                        "Orders taken by this instance, per voucher.");
  for (const auto& [id, counts] : all) {
    metrics::write_sample(out, "seckill_orders_taken_total",
                          metrics::label("voucher", std::to_string(id)), counts[0]);
  }
  metrics::write_family(out, "seckill_order_refusals_total", "counter",
                        "Order attempts refused by this instance, per voucher and reason.");
  for (const auto& [id, counts] : all) {
    for (std::size_t s = 1; s < counts.size(); ++s) {
      if (counts[s] == 0) continue;
      auto reason = to_string(static_cast<ErrorCode>(s - 1));
      metrics::write_sample(
          out, "seckill_order_refusals_total",
          metrics::label("voucher", std::to_string(id)) + "," + metrics::label("reason", reason),
          counts[s]);
    }
  }
  std::string left, total;
  const auto now = std::chrono::system_clock::now();
  for (const auto& [id, counts] : all) {
    // The cached metadata tells which sales are open without a round trip; only those are read.
    if (auto cached = sale.cache().find(id);
        cached && sale_window(cached->voucher, now) != SaleWindow::open) {
      continue;
    }
    auto v = co_await sale.get_voucher(id);
    if (!v || sale_window(*v, now) != SaleWindow::open) continue;
    auto voucher = metrics::label("voucher", std::to_string(id));
    metrics::write_sample(left, "seckill_voucher_stock_left", voucher,
                          static_cast<std::uint64_t>(std::max<std::int64_t>(v->stock_left, 0)));
    metrics::write_sample(total, "seckill_voucher_stock_total", voucher,
                          static_cast<std::uint64_t>(v->stock_total));
  }
  metrics::write_family(
      out, "seckill_voucher_stock_left", "gauge",
      "Units left of each voucher on sale now (that this instance has sold from).");
  out += left;
  metrics::write_family(out, "seckill_voucher_stock_total", "gauge",
                        "Units each voucher on sale started with.");
  out += total;
}

asio::awaitable<void> write_reminder_metrics(remind::ReminderService& reminders, std::string& out) {
  std::string sizes;
  std::uint64_t overdue = 0;
  for (auto wanted : kQueueStatuses) {
    std::uint64_t size = 0;
    std::optional<ReminderCursor> after;
    for (int page = 0; page < kMaxQueuePages; ++page) {
      auto got = co_await reminders.queue(wanted, remind::kMaxQueueLimit, after);
      if (!got) break;
      size += got->records.size();
      for (const auto& r : got->records)
        overdue += reminders.overdue(r) ? 1U : 0U;
      if (!got->next) break;
      after = got->next;
    }
    metrics::write_sample(sizes, "seckill_reminder_queue_size",
                          metrics::label("status", to_string(wanted)), size);
  }
  metrics::write_family(out, "seckill_reminder_queue_size", "gauge",
                        "Reminder records waiting for staff, by status.");
  out += sizes;
  metrics::write_family(out, "seckill_reminders_overdue", "gauge",
                        "Open reminder records older than --reminder-sla.");
  metrics::write_sample(out, "seckill_reminders_overdue", "", overdue);
}

}  // namespace

void add_metrics_route(http::Router& router, std::vector<MetricsSource> sources) {
  auto shared = std::make_shared<const std::vector<MetricsSource>>(std::move(sources));
  router.add(
      verb::get, "/metrics",
      [&router, shared](http::RequestContext&) { return scrape(router, shared); },
      http::Access::anyone);
}

MetricsSource sale_metrics(sale::SaleService& sale) {
  return [&sale](std::string& out) { return write_sale_metrics(sale, out); };
}

MetricsSource reminder_metrics(remind::ReminderService& reminders) {
  return [&reminders](std::string& out) { return write_reminder_metrics(reminders, out); };
}

}  // namespace seckill::api
