#include "api/json_fields.hpp"

#include <fmt/format.h>

namespace seckill::api {

namespace {

std::unexpected<Failure> bad(std::string message) {
  return std::unexpected(Failure{ErrorCode::bad_request, std::move(message), {}});
}

}  // namespace

std::expected<std::string, Failure> string_field(const boost::json::object& body,
                                                 std::string_view name) {
  const auto* v = body.if_contains(name);
  if (v == nullptr) return bad(fmt::format("'{}' is required", name));
  if (!v->is_string()) return bad(fmt::format("'{}' must be a string", name));
  return std::string(v->get_string());
}

std::expected<std::int64_t, Failure> integer_field(const boost::json::object& body,
                                                   std::string_view name, std::int64_t min,
                                                   std::int64_t max) {
  const auto* v = body.if_contains(name);
  if (v == nullptr) return bad(fmt::format("'{}' is required", name));
  std::int64_t n = 0;
  if (v->is_int64()) {
    n = v->get_int64();
  } else if (v->is_uint64()) {
    return bad(fmt::format("'{}' must be an integer from {} to {}", name, min, max));
  } else {
    return bad(fmt::format("'{}' must be an integer", name));
  }
  if (n < min || n > max) {
    return bad(fmt::format("'{}' must be an integer from {} to {}", name, min, max));
  }
  return n;
}

std::expected<SysTime, Failure> time_field(const boost::json::object& body, std::string_view name) {
  const auto* v = body.if_contains(name);
  if (v == nullptr) return bad(fmt::format("'{}' is required", name));
  if (!v->is_string()) {
    return bad(fmt::format("'{}' must be an RFC 3339 time string", name));
  }
  auto t = parse_rfc3339(v->get_string());
  if (!t) {
    return bad(fmt::format("'{}' must be an RFC 3339 time like 2026-11-22T10:00:00Z", name));
  }
  return *t;
}

}  // namespace seckill::api
