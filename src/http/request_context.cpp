#include "http/request_context.hpp"

#include <stdexcept>

#include <boost/url/parse.hpp>

namespace seckill::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

Failure unauthorized(std::string message) {
  return Failure{ErrorCode::unauthorized, std::move(message), {}};
}

}  // namespace

RequestContext::RequestContext(const Request& request, const auth::TokenVerifier* verifier)
    : request_(request), verifier_(verifier) {
  const std::string_view target(request_.target().data(), request_.target().size());
  if (!target.empty() && target.front() == '/') {
    auto parsed = boost::urls::parse_origin_form(target);
    if (parsed) {
      url_ = *parsed;
      target_valid_ = true;
    }
    return;
  }
  // Absolute form, which a server MUST accept (RFC 9112 3.2.2): routed by its path and query;
  // its authority is not checked against ours (a proxy in front has done the routing).
  auto parsed = boost::urls::parse_absolute_uri(target);
  if (parsed && parsed->has_authority() && !parsed->encoded_host().empty() &&
      (parsed->scheme_id() == boost::urls::scheme::http ||
       parsed->scheme_id() == boost::urls::scheme::https) &&
      !parsed->has_fragment()) {
    url_ = *parsed;
    target_valid_ = true;
  }
}

std::string_view RequestContext::path() const {
  if (!target_valid_) return {};
  auto p = url_.encoded_path();
  if (p.empty()) return "/";  // "http://host" is "http://host/"
  return std::string_view(p.data(), p.size());
}

std::string_view RequestContext::header(boost::beast::http::field name) const {
  auto it = request_.find(name);
  if (it == request_.end()) return {};
  return std::string_view(it->value().data(), it->value().size());
}

std::string_view RequestContext::header(std::string_view name) const {
  auto it = request_.find(name);
  if (it == request_.end()) return {};
  return std::string_view(it->value().data(), it->value().size());
}

std::uint64_t RequestContext::path_u64(std::string_view name) const {
  for (std::size_t i = 0; i < param_count_; ++i) {
    if (params_[i].is_u64 && params_[i].name == name) return params_[i].u64;
  }
  throw std::logic_error("route has no u64 path parameter '" + std::string(name) + "'");
}

std::string_view RequestContext::path_string(std::string_view name) const {
  for (std::size_t i = 0; i < param_count_; ++i) {
    if (!params_[i].is_u64 && params_[i].name == name) return params_[i].text;
  }
  throw std::logic_error("route has no string path parameter '" + std::string(name) + "'");
}

std::optional<std::string> RequestContext::query(std::string_view name) const {
  if (!target_valid_) return std::nullopt;
  auto params = url_.params();
  auto it = params.find(name);
  if (it == params.end()) return std::nullopt;
  auto param = *it;
  return param.has_value ? std::move(param.value) : std::string();
}

const std::expected<auth::Principal, Failure>& RequestContext::principal() {
  if (principal_) return *principal_;
  auto value = header(boost::beast::http::field::authorization);
  constexpr std::string_view kScheme = "bearer";
  if (value.empty()) {
    principal_.emplace(std::unexpected(unauthorized("missing bearer token")));
  } else if (value.size() <= kScheme.size() || !iequals(value.substr(0, kScheme.size()), kScheme) ||
             value[kScheme.size()] != ' ') {
    principal_.emplace(std::unexpected(unauthorized("Authorization scheme must be Bearer")));
  } else if (verifier_ == nullptr) {
    principal_.emplace(std::unexpected(unauthorized("authentication is not configured")));
  } else {
    auto token = value.substr(kScheme.size());
    while (!token.empty() && token.front() == ' ')
      token.remove_prefix(1);
    auto verified = verifier_->verify(token);
    if (verified) {
      principal_.emplace(*verified);
    } else {
      principal_.emplace(
          std::unexpected(unauthorized("invalid bearer token: " + verified.error())));
    }
  }
  return *principal_;
}

std::expected<auth::Principal, Failure> RequestContext::require(Access access) {
  const auto& p = principal();
  if (!p) return p;
  if (!allows(access, p->role)) {
    return std::unexpected(
        Failure{ErrorCode::forbidden,
                "role '" + std::string(auth::to_string(p->role)) + "' may not do this",
                {}});
  }
  return p;
}

}  // namespace seckill::http
