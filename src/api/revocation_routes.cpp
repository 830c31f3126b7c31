#include "api/revocation_routes.hpp"

#include <charconv>
#include <cmath>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/json_fields.hpp"
#include "core/rfc3339.hpp"
#include "http/json_body.hpp"
#include "http/json_response.hpp"

namespace seckill::api {

namespace asio = boost::asio;
namespace json = boost::json;
using boost::beast::http::status;
using boost::beast::http::verb;
using http::HandlerResult;
using http::RequestContext;

namespace {

// Ours are 22 characters; room for other minters' ids, bounded.
constexpr std::size_t kMaxJtiBytes = 64;

SysTime time_of(double unix_s) {
  return SysTime(
      std::chrono::duration_cast<SysTime::duration>(std::chrono::duration<double>(unix_s)));
}

json::object revocation_json(const auth::Revocation& r) {
  json::object out;
  if (!r.jti.empty()) {
    out["jti"] = r.jti;
  } else {
    out["user_id"] = id_string(r.user_id);
  }
  out["revoked_at"] = format_rfc3339(time_of(r.revoked_at_s));
  out["expires_at"] = format_rfc3339(time_of(r.expires_at_s));
  return out;
}

std::optional<std::uint64_t> user_id_of(const json::value& v) {
  if (v.is_int64() && v.get_int64() > 0) return static_cast<std::uint64_t>(v.get_int64());
  if (v.is_uint64() && v.get_uint64() > 0) return v.get_uint64();
  if (v.is_string()) {
    const std::string_view text = v.get_string();
    std::uint64_t id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (!text.empty() && ec == std::errc{} && end == text.data() + text.size() && id > 0) {
      return id;
    }
  }
  return std::nullopt;
}

asio::awaitable<HandlerResult> post_revocation(auth::RevocationStore& store,
                                               std::chrono::seconds max_ttl, RequestContext& ctx) {
  auto body = http::parse_json_object(ctx.body());
  if (!body) co_return std::unexpected(body.error());
  const auto* jti = body->if_contains("jti");
  const auto* user = body->if_contains("user_id");
  if ((jti == nullptr) == (user == nullptr) || body->size() != 1) {
    co_return http::fail(ErrorCode::bad_request,
                         "give exactly one of jti (a token id) or user_id (a user)");
  }
  auth::Revocation revocation;
  if (jti != nullptr) {
    if (!jti->is_string() || jti->get_string().empty() || jti->get_string().size() > kMaxJtiBytes) {
      co_return http::fail(ErrorCode::bad_request, "jti must be a string of 1 to 64 bytes");
    }
    revocation.jti = std::string(jti->get_string());
  } else {
    auto id = user_id_of(*user);
    if (!id) co_return http::fail(ErrorCode::bad_request, "user_id must be a positive integer");
    revocation.user_id = *id;
  }
  const double now_s =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  revocation.revoked_at_s = now_s;
  revocation.expires_at_s = now_s + static_cast<double>(max_ttl.count());
  co_await store.add(revocation);
  co_return http::json_response(status::created, revocation_json(revocation));
}

asio::awaitable<HandlerResult> list_revocations(auth::RevocationStore& store) {
  auto all = co_await store.list();
  json::array list;
  list.reserve(all.size());
  for (const auto& r : all)
    list.push_back(revocation_json(r));
  json::object body{{"revocations", std::move(list)}};
  co_return http::json_response(status::ok, body);
}

}  // namespace

void add_revocation_routes(http::Router& router, auth::RevocationStore& store,
                           std::chrono::seconds max_ttl) {
  router.add(
      verb::post, "/api/v1/revocations",
      [&store, max_ttl](RequestContext& ctx) { return post_revocation(store, max_ttl, ctx); },
      http::Access::staff);
  router.add(
      verb::get, "/api/v1/revocations",
      [&store](RequestContext&) { return list_revocations(store); }, http::Access::admin);
}

}  // namespace seckill::api
