#include "api/events_route.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <exception>
#include <optional>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/json_fields.hpp"
#include "core/infra_error.hpp"
#include "core/rfc3339.hpp"
#include "metrics/voucher_outcomes.hpp"

namespace seckill::api {

namespace asio = boost::asio;
namespace json = boost::json;
using boost::beast::http::field;
using boost::beast::http::status;
using boost::beast::http::verb;
using http::HandlerResult;
using http::RequestContext;

namespace {

constexpr int kQueueItems = 100;

struct Feed {
  sale::SaleService* sale;
  remind::ReminderService* reminders;
  std::optional<std::uint64_t> voucher_id;
  bool staff;
  std::chrono::milliseconds interval;
};

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

constexpr std::array<ReminderStatus, 2> kQueueStatuses = {ReminderStatus::open,
                                                          ReminderStatus::acked};
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// JSON is built in plain functions: GCC 12 mishandles initializer lists inside coroutines.
json::value voucher_json(const Voucher& v, const metrics::VoucherOutcomes::Counts& counts) {
  json::object refusals;
  for (std::size_t s = 1; s < counts.size(); ++s) {
    if (counts[s] != 0) refusals[to_string(static_cast<ErrorCode>(s - 1))] = counts[s];
  }
  return json::object{{"id", id_string(v.id)},
                      {"title", v.title},
                      {"stock", v.stock_total},
                      {"stock_left", v.stock_left},
                      {"begin_at", format_rfc3339(v.begin_at)},
                      {"end_at", format_rfc3339(v.end_at)},
                      {"orders_taken", counts[0]},
                      {"refusals", std::move(refusals)}};
}

json::value queue_item_json(const ReminderRecord& r, bool overdue) {
  return json::object{{"id", id_string(r.id)},
                      {"ticket", r.ticket},
                      {"status", to_string(r.status)},
                      {"first_at", format_rfc3339(r.first_at)},
                      {"last_at", format_rfc3339(r.last_at)},
                      {"user_count", r.users.size()},
                      {"overdue", overdue}};
}

asio::awaitable<json::value> voucher_view(const Feed& feed) {
  if (!feed.voucher_id) co_return json::value(nullptr);
  auto v = co_await feed.sale->get_voucher(*feed.voucher_id);
  if (!v) co_return json::value(nullptr);
  co_return voucher_json(*v, feed.sale->outcomes().counts(v->id));
}

asio::awaitable<json::value> queue_view(const Feed& feed) {
  if (!feed.staff) co_return json::value(nullptr);
  json::object out;
  json::array items;
  std::uint64_t overdue = 0;
  for (auto wanted : kQueueStatuses) {
    std::optional<ReminderCursor> first_page;
    auto page = co_await feed.reminders->queue(wanted, kQueueItems, first_page);
    if (!page) continue;
    out[to_string(wanted)] = page->records.size();
    for (const auto& r : page->records) {
      bool late = feed.reminders->overdue(r);
      overdue += late ? 1U : 0U;
      items.push_back(queue_item_json(r, late));
    }
  }
  out["overdue"] = overdue;
  out["items"] = std::move(items);
  co_return json::value(std::move(out));
}

std::string sse_event(std::string_view name, const json::value& data) {
  std::string out = "event: ";
  out += name;
  out += "\ndata: ";
  out += json::serialize(data);
  out += "\n\n";
  return out;
}

json::value failure_json(const std::string& what) {
  return json::object{{"message", "a backend is unavailable: " + what}};
}

/// One `tick` event, or a `failure` event when a backend is down.
asio::awaitable<std::string> next_event(const Feed& feed) {
  std::optional<std::string> failure;
  json::object tick;
  try {
    tick["at"] = format_rfc3339(std::chrono::system_clock::now());
    tick["voucher"] = co_await voucher_view(feed);
    tick["reminders"] = co_await queue_view(feed);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (failure) co_return sse_event("failure", failure_json(*failure));
  co_return sse_event("tick", json::value(std::move(tick)));
}

asio::awaitable<void> stream_events(Feed feed, http::StreamWriter& writer) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const std::string hello = "retry: 2000\n\n";
  if (!co_await writer.write(hello)) co_return;
  while (!writer.stopping()) {
    std::string event = co_await next_event(feed);
    if (!co_await writer.write(event)) break;
    timer.expires_after(feed.interval);
    co_await timer.async_wait(kTuple);
  }
}

asio::awaitable<HandlerResult> open_events(const auth::TokenVerifier& verifier,
                                           sale::SaleService& sale,
                                           remind::ReminderService& reminders,
                                           RequestContext& ctx) {
  std::optional<auth::Principal> caller;
  if (!ctx.header(field::authorization).empty()) {
    const auto& p = ctx.principal();
    if (!p) co_return std::unexpected(p.error());
    caller = *p;
  } else if (auto token = ctx.query("access_token")) {
    auto p = verifier.verify(*token);
    if (!p) co_return http::fail(ErrorCode::unauthorized, "access_token: " + p.error());
    caller = *p;
  } else {
    co_return http::fail(ErrorCode::unauthorized,
                         "missing bearer token (Authorization header or access_token parameter)");
  }
  Feed feed{&sale, &reminders, std::nullopt,
            caller->role == auth::Role::staff || caller->role == auth::Role::admin,
            std::chrono::milliseconds(1000)};
  if (auto text = ctx.query("voucher"); text && !text->empty()) {
    feed.voucher_id = parse_u64(*text);
    if (!feed.voucher_id || *feed.voucher_id == 0) {
      co_return http::fail(ErrorCode::bad_request, "voucher must be a positive integer");
    }
  }
  if (auto text = ctx.query("interval_ms")) {
    auto ms = parse_u64(*text);
    if (!ms || *ms < 200 || *ms > 10'000) {
      co_return http::fail(ErrorCode::bad_request, "interval_ms must be from 200 to 10000");
    }
    feed.interval = std::chrono::milliseconds(*ms);
  }
  http::Response response(status::ok, std::string(), "text/event-stream");
  response.set_header("Cache-Control", "no-store");
  response.set_stream([feed](http::StreamWriter& writer) { return stream_events(feed, writer); });
  co_return response;
}

}  // namespace

void add_events_route(http::Router& router, const auth::TokenVerifier& verifier,
                      sale::SaleService& sale, remind::ReminderService& reminders) {
  // Access::anyone: the handler authenticates itself, because the token may come as a query
  // parameter here.
  router.add(
      verb::get, "/api/v1/events",
      [&verifier, &sale, &reminders](RequestContext& ctx) {
        return open_events(verifier, sale, reminders, ctx);
      },
      http::Access::anyone);
}

}  // namespace seckill::api
