#include "api/metrics_route.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "metrics/text_format.hpp"

namespace seckill::api {

namespace asio = boost::asio;
using boost::beast::http::status;
using boost::beast::http::verb;
using http::HandlerResult;

namespace {

/// A refresh reads at most this many pages of the queue (of kMaxQueueLimit records each).
constexpr int kMaxQueuePages = 20;
constexpr std::array<ReminderStatus, 2> kQueueStatuses = {ReminderStatus::open,
                                                          ReminderStatus::acked};
/// The per-voucher series of a scrape: the newest vouchers this instance has seen (ids grow).
constexpr std::size_t kMaxVoucherSeries = 100;
/// How long the figures read from the store (stock, the queue) are reused by later scrapes.
constexpr auto kStoreFiguresMaxAge = std::chrono::seconds(1);
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

/// A source's text, refreshed at most once per `max_age`: however many scrapes come in, the
/// store answers at most one refresh per max_age, and only one runs at a time (the scrapes that
/// arrive meanwhile wait for it, or take the previous text once it has waited long). Shared by
/// the I/O threads; the mutex is never held across a suspension.
class CachedSource {
 public:
  CachedSource(MetricsSource source, std::chrono::steady_clock::duration max_age)
      : source_(std::move(source)), max_age_(max_age) {}

  /// Whether the text is fresh (then appended to `out`), else whether the caller is the one to
  /// refresh it (`refresh`), or should wait. After `stale_ok`, a stale text is taken.
  bool take_fresh(std::string& out, bool stale_ok, bool& refresh) {
    std::lock_guard lock(mutex_);
    refresh = false;
    if (has_text_ && std::chrono::steady_clock::now() - fetched_at_ < max_age_) {
      out += text_;
      return true;
    }
    if (!refreshing_) {
      refreshing_ = true;
      refresh = true;
      return false;
    }
    if (stale_ok && has_text_) {
      out += text_;
      return true;
    }
    return false;
  }

  void finish(const std::string* text) {
    std::lock_guard lock(mutex_);
    refreshing_ = false;
    if (text == nullptr) return;
    text_ = *text;
    fetched_at_ = std::chrono::steady_clock::now();
    has_text_ = true;
  }

  const MetricsSource& source() const { return source_; }

 private:
  const MetricsSource source_;
  const std::chrono::steady_clock::duration max_age_;
  std::mutex mutex_;
  bool refreshing_ = false;
  bool has_text_ = false;
  std::string text_;
  std::chrono::steady_clock::time_point fetched_at_;
};

asio::awaitable<void> write_cached(std::shared_ptr<CachedSource> cache, std::string& out) {
  constexpr auto kPoll = std::chrono::milliseconds(10);
  constexpr int kPollsBeforeStale = 200;  // 2 s
  constexpr int kMaxPolls = 1000;         // 10 s: then this scrape goes without
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (int polls = 0;; ++polls) {
    bool refresh = false;
    if (cache->take_fresh(out, polls >= kPollsBeforeStale, refresh)) co_return;
    if (refresh) break;
    if (polls >= kMaxPolls) throw std::runtime_error("a refresh of the store's figures hangs");
    timer.expires_after(kPoll);
    co_await timer.async_wait(kTuple);
  }
  std::string part;
  std::exception_ptr failed;
  try {
    co_await cache->source()(part);
  } catch (...) {
    failed = std::current_exception();
  }
  cache->finish(failed ? nullptr : &part);
  if (failed) std::rethrow_exception(failed);
  out += part;
}

/// `source`, read from the store at most once per kStoreFiguresMaxAge.
MetricsSource cached(MetricsSource source) {
  auto cache = std::make_shared<CachedSource>(std::move(source), kStoreFiguresMaxAge);
  return [cache](std::string& out) { return write_cached(cache, out); };
}

/// This instance's per-voucher outcomes, newest vouchers first, at most kMaxVoucherSeries.
std::vector<std::pair<std::uint64_t, metrics::VoucherOutcomes::Counts>> newest_outcomes(
    sale::SaleService& sale) {
  auto all = sale.outcomes().all();
  std::ranges::sort(all, [](const auto& a, const auto& b) { return a.first > b.first; });
  if (all.size() > kMaxVoucherSeries) all.resize(kMaxVoucherSeries);
  return all;
}

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

asio::awaitable<void> write_sale_counters(sale::SaleService& sale, std::string& out) {
  auto all = newest_outcomes(sale);
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
  co_return;
}

asio::awaitable<void> write_stock_metrics(sale::SaleService& sale, std::string& out) {
  auto all = newest_outcomes(sale);
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
    metrics::write_sample(total, "seckill_voucher_stock", voucher,
                          static_cast<std::uint64_t>(v->stock_total));
  }
  metrics::write_family(
      out, "seckill_voucher_stock_left", "gauge",
      "Units left of each voucher on sale now (that this instance has sold from).");
  out += left;
  metrics::write_family(out, "seckill_voucher_stock", "gauge",
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

void add_metrics_route(http::Router& router, std::vector<MetricsSource> sources,
                       const http::Router* counted) {
  auto shared = std::make_shared<const std::vector<MetricsSource>>(std::move(sources));
  const http::Router* of = counted != nullptr ? counted : &router;
  router.add(
      verb::get, "/metrics", [of, shared](http::RequestContext&) { return scrape(*of, shared); },
      http::Access::anyone);
}

std::vector<MetricsSource> sale_metrics(sale::SaleService& sale) {
  std::vector<MetricsSource> out;
  out.push_back([&sale](std::string& text) { return write_sale_counters(sale, text); });
  out.push_back(cached([&sale](std::string& text) { return write_stock_metrics(sale, text); }));
  return out;
}

MetricsSource reminder_metrics(remind::ReminderService& reminders) {
  return cached([&reminders](std::string& out) { return write_reminder_metrics(reminders, out); });
}

}  // namespace seckill::api
