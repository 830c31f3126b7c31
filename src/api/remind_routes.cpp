#include "api/remind_routes.hpp"

#include <charconv>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <fmt/format.h>

#include "api/json_fields.hpp"
#include "api/path_id.hpp"
#include "http/json_response.hpp"
#include "http/json_text.hpp"

namespace seckill::api {

namespace asio = boost::asio;
namespace json = boost::json;
using boost::beast::http::status;
using boost::beast::http::verb;
using http::HandlerResult;
using http::RequestContext;

namespace {

json::value optional_time(const std::optional<SysTime>& t) {
  if (!t) return nullptr;
  return json::value(format_rfc3339(*t));
}

json::object record_json(const ReminderRecord& r) {
  json::array users;
  users.reserve(r.users.size());
  for (const auto& u : r.users) {
    users.push_back(json::object{{"user_id", id_string(u.user_id)}, {"at", format_rfc3339(u.at)}});
  }
  json::object out{{"id", id_string(r.id)},
                   {"ticket", r.ticket},
                   {"status", to_string(r.status)},
                   {"first_at", format_rfc3339(r.first_at)},
                   {"last_at", format_rfc3339(r.last_at)},
                   {"acked_at", optional_time(r.acked_at)},
                   {"resolved_at", optional_time(r.resolved_at)}};
  out["acked_by"] = r.acked_by ? json::value(id_string(*r.acked_by)) : json::value(nullptr);
  out["users"] = std::move(users);
  return out;
}

bool is_staff(const auth::Principal& p) {
  return p.role == auth::Role::staff || p.role == auth::Role::admin;
}

asio::awaitable<HandlerResult> post_reminder(remind::ReminderService& service,
                                             RequestContext& ctx) {
  auto caller = ctx.principal();
  if (!caller) co_return std::unexpected(caller.error());
  auto done = co_await service.remind(caller->user_id, std::string(ctx.path_string("ticket")));
  if (!done) co_return std::unexpected(done.error());
  // {"reminder_id":"ID","new_record":true}, written directly: every new reminder answers this.
  std::string body = R"({"reminder_id":)";
  http::append_json_string(body, id_string(done->reminder_id));
  body.append(done->new_record ? R"(,"new_record":true})" : R"(,"new_record":false})");
  co_return http::Response(status::created, std::move(body));
}

asio::awaitable<HandlerResult> ticket_reminders(remind::ReminderService& service,
                                                RequestContext& ctx) {
  auto caller = ctx.principal();
  if (!caller) co_return std::unexpected(caller.error());
  std::optional<std::uint64_t> only_user;
  if (!is_staff(*caller)) only_user = caller->user_id;
  auto records =
      co_await service.ticket_reminders(std::string(ctx.path_string("ticket")), only_user);
  if (!records) co_return std::unexpected(records.error());
  json::array list;
  list.reserve(records->size());
  for (const auto& r : *records)
    list.push_back(record_json(r));
  co_return http::json_response(status::ok, json::object{{"reminders", std::move(list)}});
}

std::optional<int> parse_limit(std::string_view text) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

asio::awaitable<HandlerResult> queue(remind::ReminderService& service, RequestContext& ctx) {
  auto status_text = ctx.query("status").value_or("open");
  auto wanted = parse_reminder_status(status_text);
  if (!wanted)
    co_return http::fail(ErrorCode::bad_request, "status must be open, acked or resolved");
  int limit = remind::kDefaultQueueLimit;
  if (auto text = ctx.query("limit")) {
    auto parsed = parse_limit(*text);
    if (!parsed || *parsed < 1 || *parsed > remind::kMaxQueueLimit) {
      co_return http::fail(
          ErrorCode::bad_request,
          fmt::format("limit must be an integer from 1 to {}", remind::kMaxQueueLimit));
    }
    limit = *parsed;
  }
  std::optional<ReminderCursor> after;
  if (auto text = ctx.query("cursor"); text && !text->empty()) {
    after = parse_reminder_cursor(*text);
    if (!after) co_return http::fail(ErrorCode::bad_request, "cursor is not one this API gave");
  }
  auto page = co_await service.queue(*wanted, limit, after);
  if (!page) co_return std::unexpected(page.error());
  json::array list;
  list.reserve(page->records.size());
  for (const auto& r : page->records) {
    auto item = record_json(r);
    item["user_count"] = r.users.size();
    item["overdue"] = service.overdue(r);
    list.push_back(std::move(item));
  }
  json::object body{{"reminders", std::move(list)}};
  body["cursor"] =
      page->next ? json::value(format_reminder_cursor(*page->next)) : json::value(nullptr);
  co_return http::json_response(status::ok, body);
}

asio::awaitable<HandlerResult> ack(remind::ReminderService& service, RequestContext& ctx) {
  auto caller = ctx.principal();
  if (!caller) co_return std::unexpected(caller.error());
  auto id = path_id(ctx, "id", "reminder");
  if (!id) co_return std::unexpected(id.error());
  auto record = co_await service.ack(*id, caller->user_id);
  if (!record) co_return std::unexpected(record.error());
  co_return http::json_response(status::ok, record_json(*record));
}

asio::awaitable<HandlerResult> resolve(remind::ReminderService& service, RequestContext& ctx) {
  auto id = path_id(ctx, "id", "reminder");
  if (!id) co_return std::unexpected(id.error());
  auto record = co_await service.resolve(*id);
  if (!record) co_return std::unexpected(record.error());
  co_return http::json_response(status::ok, record_json(*record));
}

}  // namespace

void add_remind_routes(http::Router& router, remind::ReminderService& reminders) {
  using http::Access;
  router.add(
      verb::post, "/api/v1/tickets/{ticket}/reminders",
      [&reminders](RequestContext& ctx) { return post_reminder(reminders, ctx); },
      Access::authenticated);
  router.add(
      verb::get, "/api/v1/tickets/{ticket}/reminders",
      [&reminders](RequestContext& ctx) { return ticket_reminders(reminders, ctx); },
      Access::authenticated);
  router.add(
      verb::get, "/api/v1/reminders",
      [&reminders](RequestContext& ctx) { return queue(reminders, ctx); }, Access::staff);
  router.add(
      verb::post, "/api/v1/reminders/{id:u64}/ack",
      [&reminders](RequestContext& ctx) { return ack(reminders, ctx); }, Access::staff);
  router.add(
      verb::post, "/api/v1/reminders/{id:u64}/resolve",
      [&reminders](RequestContext& ctx) { return resolve(reminders, ctx); }, Access::staff);
}

}  // namespace seckill::api
