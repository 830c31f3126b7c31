#include "http/router.hpp"

#include <array>
#include <charconv>
#include <exception>
#include <stdexcept>

#include <boost/url/pct_string_view.hpp>
#include <spdlog/spdlog.h>

#include "core/infra_error.hpp"
#include "http/error_response.hpp"
#include "http/request_id.hpp"

namespace seckill::http {
namespace {

/// Splits "/a/b/c" into {"a","b","c"}; false if there are more than `max` segments.
bool split_path(std::string_view path, std::string_view* out, std::size_t max, std::size_t& n) {
  n = 0;
  if (path.empty() || path.front() != '/') return false;
  if (path.size() == 1) return true;  // "/": the root, no segments
  path.remove_prefix(1);
  for (;;) {
    if (n == max) return false;
    auto slash = path.find('/');
    out[n++] = path.substr(0, slash);
    if (slash == std::string_view::npos) return true;
    path.remove_prefix(slash + 1);
  }
}

std::string percent_decode(std::string_view encoded) {
  if (encoded.find('%') == std::string_view::npos) return std::string(encoded);
  // The router only sees targets that boost::urls::parse_origin_form accepted, so the
  // percent-encoding is valid.
  auto pct = boost::urls::make_pct_string_view(encoded);
  if (!pct) return std::string(encoded);
  return pct->decode();
}

bool parse_positive_u64(std::string_view text, std::uint64_t& value) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && end == text.data() + text.size() && value > 0;
}

}  // namespace

Router::Router(const auth::TokenVerifier* verifier) : verifier_(verifier) {}

void Router::add(boost::beast::http::verb method, std::string_view pattern, Handler handler,
                 Access access) {
  auto bad = [&](std::string_view why) {
    return std::invalid_argument("route pattern '" + std::string(pattern) +
                                 "': " + std::string(why));
  };
  std::array<std::string_view, kMaxSegments> parts;
  std::size_t n = 0;
  if (!split_path(pattern, parts.data(), parts.size(), n)) throw bad("must start with '/'");
  Route route{method, std::string(pattern), {}, std::move(handler), access};
  std::size_t params = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::string_view part = parts[i];
    if (part.empty()) throw bad("empty segment");
    if (part.front() != '{') {
      if (part.find_first_of("{}") != std::string_view::npos) throw bad("stray brace");
      route.segments.push_back({Segment::Kind::literal, std::string(part)});
      continue;
    }
    if (part.back() != '}' || part.size() < 3) throw bad("malformed parameter");
    std::string_view inner = part.substr(1, part.size() - 2);
    auto colon = inner.find(':');
    std::string_view name = inner.substr(0, colon);
    Segment::Kind kind = Segment::Kind::text;
    if (colon != std::string_view::npos) {
      std::string_view type = inner.substr(colon + 1);
      if (type == "u64") {
        kind = Segment::Kind::u64;
      } else if (type != "str") {
        throw bad("unknown parameter type (u64 or str)");
      }
    }
    if (name.empty() || name.find_first_of("{}") != std::string_view::npos) {
      throw bad("malformed parameter name");
    }
    for (const auto& s : route.segments) {
      if (s.kind != Segment::Kind::literal && s.value == name) throw bad("parameter named twice");
    }
    if (++params > RequestContext::kMaxPathParams) throw bad("too many parameters");
    route.segments.push_back({kind, std::string(name)});
  }
  for (const auto& r : routes_) {
    if (r.method == method && r.pattern == pattern) throw bad("registered twice");
  }
  routes_.push_back(std::move(route));
}

std::string_view Router::route_pattern(std::size_t index) const {
  return index < routes_.size() ? std::string_view(routes_[index].pattern) : "unmatched";
}

std::vector<metrics::RequestMetrics::Route> Router::route_patterns() const {
  std::vector<metrics::RequestMetrics::Route> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) {
    out.push_back({std::string(boost::beast::http::to_string(r.method)), r.pattern});
  }
  return out;
}

boost::asio::awaitable<Response> Router::handle(const Request& request,
                                                boost::asio::ip::address client,
                                                std::size_t* matched) const {
  RequestContext context(request, verifier_);
  context.client_ = client;
  if (!context.target_is_valid()) {
    co_return error_response({ErrorCode::bad_request, "malformed request target", {}});
  }
  std::array<std::string_view, kMaxSegments> parts;
  std::size_t n = 0;
  bool split = split_path(context.path(), parts.data(), parts.size(), n);

  auto matches = [&](const Route& route) {
    if (route.segments.size() != n) return false;
    for (std::size_t i = 0; i < n; ++i) {
      const Segment& s = route.segments[i];
      if (s.kind == Segment::Kind::literal ? s.value != parts[i] : parts[i].empty()) return false;
    }
    return true;
  };

  const Route* found = nullptr;
  const Route* get_for_head = nullptr;  // RFC 9110 9.3.2: HEAD wherever GET is served
  bool path_known = false;
  if (split) {
    for (const auto& route : routes_) {
      if (!matches(route)) continue;
      path_known = true;
      if (route.method == request.method()) {
        found = &route;
        break;
      }
      if (request.method() == boost::beast::http::verb::head &&
          route.method == boost::beast::http::verb::get && get_for_head == nullptr) {
        get_for_head = &route;
      }
    }
  }
  if (found == nullptr) found = get_for_head;
  if (found == nullptr) {
    if (!path_known) co_return error_response({ErrorCode::not_found, "no such resource", {}});
    std::string allow;
    for (const auto& route : routes_) {
      if (!matches(route)) continue;
      auto name = boost::beast::http::to_string(route.method);
      if (allow.find(name) != std::string::npos) continue;
      if (!allow.empty()) allow.append(", ");
      allow.append(name);
    }
    if (allow.find("GET") != std::string::npos && allow.find("HEAD") == std::string::npos) {
      allow.append(", HEAD");
    }
    Response response =
        error_response({ErrorCode::method_not_allowed,
                        "method " + std::string(request.method_string()) + " is not allowed here",
                        {}});
    response.set_header("Allow", std::move(allow));
    co_return response;
  }

  if (matched != nullptr) *matched = static_cast<std::size_t>(found - routes_.data());
  if (found->access != Access::anyone) {
    if (admission_ != nullptr) {
      auto refused = co_await admission_->before_authentication(client);
      if (refused) co_return error_response(*refused);
    }
    auto allowed = context.require(found->access);
    if (!allowed) co_return error_response(allowed.error());
    if (admission_ != nullptr) {
      auto refused = co_await admission_->after_authentication(*allowed);
      if (refused) co_return error_response(*refused);
    }
  }

  for (std::size_t i = 0; i < n; ++i) {
    const Segment& s = found->segments[i];
    if (s.kind == Segment::Kind::literal) continue;
    auto& param = context.params_[context.param_count_++];
    param.name = s.value;
    param.text = percent_decode(parts[i]);
    if (s.kind == Segment::Kind::u64) {
      param.is_u64 = true;
      if (!parse_positive_u64(param.text, param.u64)) {
        co_return error_response({ErrorCode::bad_request,
                                  "path parameter '" + s.value + "' must be a positive integer",
                                  {}});
      }
    } else if (param.text.empty()) {
      co_return error_response(
          {ErrorCode::bad_request, "path parameter '" + s.value + "' must not be empty", {}});
    }
  }

  // co_await is not allowed inside a handler block, so the outcome is carried out of it.
  std::optional<Failure> failure;
  bool unknown = false;
  try {
    HandlerResult result = co_await found->handler(context);
    if (result) co_return std::move(*result);
    failure = std::move(result.error());
  } catch (const OutcomeUnknownError& e) {
    spdlog::warn("{} {}: outcome unknown, closing without an answer: {}", request.method_string(),
                 found->pattern, e.what());
    unknown = true;
  } catch (const InfraError& e) {
    spdlog::warn("{} {}: backend unavailable: {} request_id={}", request.method_string(),
                 found->pattern, e.what(), request[kRequestIdHeader]);
    failure = Failure{ErrorCode::unavailable, "a backend is unavailable, nothing was done", {}};
  } catch (const std::exception& e) {
    spdlog::error("{} {}: unexpected exception: {} request_id={}", request.method_string(),
                  found->pattern, e.what(), request[kRequestIdHeader]);
    failure = Failure{ErrorCode::internal, "internal error", {}};
  } catch (...) {
    spdlog::error("{} {}: unexpected exception request_id={}", request.method_string(),
                  found->pattern, request[kRequestIdHeader]);
    failure = Failure{ErrorCode::internal, "internal error", {}};
  }
  if (unknown) {
    Response withheld(boost::beast::http::status::service_unavailable, std::string());
    withheld.withhold();
    co_return withheld;
  }
  co_return error_response(*failure);
}

}  // namespace seckill::http
