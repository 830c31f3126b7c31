#include "api/events_route.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <exception>
#include <expected>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/json_fields.hpp"
#include "auth/base64url.hpp"
#include "auth/token_claims.hpp"
#include "core/infra_error.hpp"
#include "core/rfc3339.hpp"
#include "http/request_id.hpp"
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
constexpr std::uint64_t kMinIntervalMs = 1000;
constexpr std::uint64_t kMaxIntervalMs = 10'000;

struct Feed {
  sale::SaleService* sale;
  remind::ReminderService* reminders;
  const auth::TokenVerifier* verifier;
  std::optional<std::uint64_t> voucher_id;
  bool staff;
  std::chrono::milliseconds interval;
  /// The caller's token, checked again before every event: the stream ends when it expires.
  std::string token;
  std::chrono::system_clock::time_point expires_at;
  std::string request_id;  // for the log, with a backend's failure
  std::shared_ptr<EventStreamCaps::Slot> slot;
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
json::object refusals_json(const metrics::VoucherOutcomes::Counts& counts);

json::value voucher_json(const Voucher& v, const metrics::VoucherOutcomes::Counts& counts) {
  return json::object{{"id", id_string(v.id)},
                      {"title", v.title},
                      {"stock", v.stock_total},
                      {"stock_left", v.stock_left},
                      {"begin_at", format_rfc3339(v.begin_at)},
                      {"end_at", format_rfc3339(v.end_at)},
                      {"orders_taken", counts[0]},
                      {"refusals", refusals_json(counts)}};
}

json::object refusals_json(const metrics::VoucherOutcomes::Counts& counts) {
  json::object refusals;
  for (std::size_t s = 1; s < counts.size(); ++s) {
    if (counts[s] != 0) refusals[to_string(static_cast<ErrorCode>(s - 1))] = counts[s];
  }
  return refusals;
}

/// {"voucher_id": "ID", "seconds": [{"at": time, "taken": N, "refusals": {code: N}}...]}
json::value history_json(std::uint64_t voucher_id,
                         const std::vector<metrics::VoucherOutcomes::Second>& seconds) {
  json::array list;
  list.reserve(seconds.size());
  for (const auto& s : seconds) {
    const SysTime at{std::chrono::seconds(s.unix_s)};
    list.push_back(json::object{
        {"at", format_rfc3339(at)}, {"taken", s.counts[0]}, {"refusals", refusals_json(s.counts)}});
  }
  return json::object{{"voucher_id", id_string(voucher_id)}, {"seconds", std::move(list)}};
}

std::string sse_event(std::string_view name, const json::value& data);

/// The `history` event: what this instance counted on the voucher, per second, over the last
/// minutes, so that a page opened after the rush still draws it.
std::string history_event(const Feed& feed) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return sse_event("history", history_json(*feed.voucher_id,
                                           feed.sale->outcomes().history(*feed.voucher_id, now)));
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

json::value message_json(std::string_view message) {
  return json::object{{"message", message}};
}

/// One `tick` event, or a `failure` event when a backend is down. The failure's detail (hosts,
/// ports, users, server messages) goes to the log with the request id, never to the client.
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
  if (failure) {
    spdlog::warn("GET /api/v1/events: backend unavailable: {} request_id={}", *failure,
                 feed.request_id);
    co_return sse_event("failure", message_json("a backend is unavailable; the feed goes on"));
  }
  co_return sse_event("tick", json::value(std::move(tick)));
}

/// Why the caller's token no longer admits the stream, or nullopt while it does.
std::optional<std::string> token_refusal(const Feed& feed) {
  const auto now = std::chrono::system_clock::now();
  if (now >= feed.expires_at) return std::string("token has expired");
  auto still = feed.verifier->verify(feed.token, now);
  if (!still) return std::move(still.error());
  return std::nullopt;
}

asio::awaitable<void> stream_events(Feed feed, http::StreamWriter& writer) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const std::string hello = "retry: 2000\n\n";
  if (!co_await writer.write(hello)) co_return;
  if (feed.voucher_id) {
    const std::string history = history_event(feed);
    if (!co_await writer.write(history)) co_return;
  }
  while (!writer.stopping()) {
    if (auto refused = token_refusal(feed)) {
      // The last event; a browser's EventSource reconnecting with the same token gets 401.
      const std::string last = sse_event("expired", message_json(*refused));
      co_await writer.write(last);
      break;
    }
    std::string event = co_await next_event(feed);
    if (!co_await writer.write(event)) break;
    // Wake at the token's expiry if it comes before the next tick.
    auto wait = std::min<std::chrono::system_clock::duration>(
        feed.interval, feed.expires_at - std::chrono::system_clock::now());
    timer.expires_after(std::max<std::chrono::system_clock::duration>(wait, {}));
    co_await timer.async_wait(kTuple);
  }
}

/// When the (already verified) compact token `token` expires: its `exp` claim.
std::chrono::system_clock::time_point token_expiry(std::string_view token) {
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  auto payload = auth::base64url_decode(token.substr(first + 1, second - first - 1));
  const auto now = std::chrono::system_clock::now();
  if (!payload) return now;
  auto claims = auth::read_claims(*payload, now);
  if (!claims) return now;
  // Clamped below the clock's range (nanoseconds in int64: up to 2262), so a far `exp` stays a
  // far future rather than overflowing.
  const double capped = std::min(claims->exp_s, 9.0e9);
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::duration<double>(capped)));
}

/// The bearer token of the request, read as RequestContext::principal() reads it (scheme in
/// any case, spaces after it skipped): the Authorization header's, else `?access_token=`.
std::optional<std::string> bearer_token(const RequestContext& ctx) {
  std::string_view header = ctx.header(field::authorization);
  if (header.empty()) return ctx.query("access_token");
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = header[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != kScheme[i]) {
      return std::nullopt;
    }
  }
  header.remove_prefix(kScheme.size());
  while (!header.empty() && header.front() == ' ')
    header.remove_prefix(1);
  return std::string(header);
}

struct EventsRoute {
  const http::Router* router;
  const auth::TokenVerifier* verifier;
  sale::SaleService* sale;
  remind::ReminderService* reminders;
  std::shared_ptr<EventStreamCaps> caps;
};

/// The admission every route with a token goes through (see http::Router::handle), in the same
/// order: before_authentication with the client's address, the token, after_authentication
/// with the caller. Done here because the token may come in the query on this route only.
asio::awaitable<HandlerResult> open_events(EventsRoute route, RequestContext& ctx) {
  http::Admission* admission = route.router->admission();
  if (admission != nullptr) {
    auto refused = co_await admission->before_authentication(ctx.client_address());
    if (refused) co_return std::unexpected(std::move(*refused));
  }
  std::optional<auth::Principal> caller;
  std::optional<std::string> token;
  if (!ctx.header(field::authorization).empty()) {
    const auto& p = ctx.principal();
    if (!p) co_return std::unexpected(p.error());
    caller = *p;
    token = bearer_token(ctx);
  } else if (auto query_token = ctx.query("access_token")) {
    auto p = route.verifier->verify(*query_token);
    if (!p) co_return http::fail(ErrorCode::unauthorized, "access_token: " + p.error());
    caller = *p;
    token = std::move(query_token);
  } else {
    co_return http::fail(ErrorCode::unauthorized,
                         "missing bearer token (Authorization header or access_token parameter)");
  }
  if (!token) co_return http::fail(ErrorCode::unauthorized, "Authorization scheme must be Bearer");
  if (admission != nullptr) {
    auto refused = co_await admission->after_authentication(*caller);
    if (refused) co_return std::unexpected(std::move(*refused));
  }
  Feed feed{route.sale,
            route.reminders,
            route.verifier,
            std::nullopt,
            caller->role == auth::Role::staff || caller->role == auth::Role::admin,
            std::chrono::milliseconds(kMinIntervalMs),
            *token,
            token_expiry(*token),
            std::string(ctx.header(http::kRequestIdHeader)),
            nullptr};
  if (auto text = ctx.query("voucher"); text && !text->empty()) {
    feed.voucher_id = parse_u64(*text);
    if (!feed.voucher_id || *feed.voucher_id == 0) {
      co_return http::fail(ErrorCode::bad_request, "voucher must be a positive integer");
    }
  }
  if (auto text = ctx.query("interval_ms")) {
    auto ms = parse_u64(*text);
    if (!ms || *ms < kMinIntervalMs || *ms > kMaxIntervalMs) {
      co_return http::fail(ErrorCode::bad_request,
                           fmt::format("interval_ms must be an integer from {} to {}",
                                       kMinIntervalMs, kMaxIntervalMs));
    }
    feed.interval = std::chrono::milliseconds(*ms);
  }
  auto slot = route.caps->open(caller->user_id, ctx.client_address());
  if (!slot) co_return std::unexpected(std::move(slot.error()));
  feed.slot = std::move(*slot);
  http::Response response(status::ok, std::string(), "text/event-stream");
  response.set_header("Cache-Control", "no-store");
  response.set_stream([feed](http::StreamWriter& writer) { return stream_events(feed, writer); });
  co_return response;
}

}  // namespace

void add_events_route(http::Router& router, const auth::TokenVerifier& verifier,
                      sale::SaleService& sale, remind::ReminderService& reminders,
                      EventStreamLimits limits) {
  // Access::anyone for the router: the handler authenticates itself and runs the router's
  // admission, because the token may come as a query parameter here.
  EventsRoute route{&router, &verifier, &sale, &reminders,
                    std::make_shared<EventStreamCaps>(limits)};
  router.add(
      verb::get, "/api/v1/events", [route](RequestContext& ctx) { return open_events(route, ctx); },
      http::Access::anyone);
}

}  // namespace seckill::api
