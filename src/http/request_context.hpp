#pragma once
// Everything a handler knows about its request.

#include <array>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/url_view.hpp>

#include "auth/principal.hpp"
#include "auth/token_verifier.hpp"
#include "core/error_code.hpp"
#include "http/access.hpp"

namespace seckill::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

/// One request as seen by a handler: method, target, typed path parameters, query parameters,
/// headers, body, and the caller, authenticated on first use. Lives on the connection's
/// coroutine for the duration of one request; not thread-safe (a connection lives on one thread).
class RequestContext {
 public:
  /// `request` and `verifier` must outlive the context. With a null `verifier` every
  /// authentication fails with 401.
  RequestContext(const Request& request, const auth::TokenVerifier* verifier);
  RequestContext(const RequestContext&) = delete;
  RequestContext& operator=(const RequestContext&) = delete;

  boost::beast::http::verb method() const { return request_.method(); }
  /// The request target as sent, e.g. "/api/v1/reminders?status=open".
  std::string_view target() const { return request_.target(); }
  /// Whether the target is in origin form (`/path?query`) or absolute form
  /// (`http://host/path?query`, RFC 9112 3.2.2), with valid percent-encoding.
  bool target_is_valid() const { return target_valid_; }
  /// The path of the target, still percent-encoded, e.g. "/api/v1/vouchers/42/orders" (for an
  /// absolute-form target, its path; "/" when it has none).
  std::string_view path() const;
  const Request& request() const { return request_; }
  /// The value of the first header of that name, or "" if absent.
  std::string_view header(boost::beast::http::field name) const;
  std::string_view header(std::string_view name) const;
  std::string_view body() const { return request_.body(); }
  /// The address of the connection's peer; unspecified when the Router was not told.
  const boost::asio::ip::address& client_address() const { return client_; }

  /// The `{name:u64}` path parameter, always positive (the router answered 400 otherwise).
  /// Throws std::logic_error if the route's pattern has no u64 parameter of that name.
  std::uint64_t path_u64(std::string_view name) const;
  /// The `{name}` path parameter, percent-decoded and never empty.
  /// Throws std::logic_error if the route's pattern has no string parameter of that name.
  std::string_view path_string(std::string_view name) const;

  /// The first query parameter called `name`, percent-decoded (`+` is not a space); nullopt if
  /// absent. "?status=open" gives query("status") == "open".
  std::optional<std::string> query(std::string_view name) const;
  /// Every query parameter, decoded, in order.
  boost::urls::params_view query_params() const { return url_.params(); }

  /// The caller, from `Authorization: Bearer <token>`, checked on the first call and remembered.
  /// A missing header, another scheme, or a token the verifier refuses gives an `unauthorized`
  /// Failure whose message names the problem without quoting the token.
  const std::expected<auth::Principal, Failure>& principal();

  /// principal(), then a `forbidden` Failure if its role may not pass `access`.
  std::expected<auth::Principal, Failure> require(Access access);

 private:
  friend class Router;

  struct PathParam {
    std::string_view name;
    bool is_u64 = false;
    std::uint64_t u64 = 0;
    std::string text;
  };
  static constexpr std::size_t kMaxPathParams = 8;

  const Request& request_;
  const auth::TokenVerifier* verifier_;
  boost::urls::url_view url_;
  bool target_valid_ = false;
  std::array<PathParam, kMaxPathParams> params_{};
  std::size_t param_count_ = 0;
  std::optional<std::expected<auth::Principal, Failure>> principal_;
  boost::asio::ip::address client_;
};

}  // namespace seckill::http
