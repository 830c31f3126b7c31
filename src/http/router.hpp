#pragma once
// Routes a request to its handler by method and path pattern.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>

#include "auth/token_verifier.hpp"
#include "http/access.hpp"
#include "http/admission.hpp"
#include "http/handler.hpp"
#include "http/request_context.hpp"
#include "http/response.hpp"
#include "metrics/request_metrics.hpp"

namespace seckill::http {

/// A table of routes, filled before the server starts and only read afterwards (then it is safe
/// to use from every I/O thread at once). Must outlive the Server using it.
///
/// A pattern is a path of segments, each a literal or a parameter:
///   "/api/v1/vouchers/{id:u64}/orders"   `{id:u64}`: a positive integer that fits 64 bits
///   "/api/v1/tickets/{ticket}/reminders" `{ticket}`: any non-empty segment, percent-decoded
/// A request path matches a pattern when it has the same number of segments and equal literals
/// (no trailing slash, no empty segments). Among matching routes, the first registered for the
/// request's method wins.
///
/// For each request, in this order:
///   malformed target -> 400 `bad_request`;
///   no pattern matches -> 404 `not_found`;
///   a pattern matches but not for this method -> 405 `method_not_allowed` with `Allow` (which
///     lists HEAD wherever GET is);
///   HEAD with no HEAD route of its own runs the GET route (RFC 9110 9.3.2; the server sends
///     the answer's head only);
///   the route needs a token and the Admission's before_authentication refuses -> its Failure
///     (e.g. 429 `rate_limited`);
///   the route's Access is not met -> 401 `unauthorized` / 403 `forbidden`;
///   the route needs a token and the Admission's after_authentication refuses -> its Failure;
///   a u64 parameter that is not a positive 64-bit integer -> 400 `bad_request`
///     ("path parameter 'id' must be a positive integer");
///   else the handler runs, and its Failure, InfraError (503) or other exception (500) is mapped.
class Router {
 public:
  /// `verifier` checks bearer tokens; it must outlive the Router. Null: authentication always
  /// fails (for routers that serve only public routes).
  explicit Router(const auth::TokenVerifier* verifier);

  /// Registers a route. Throws std::invalid_argument for a malformed pattern (not starting with
  /// '/', an empty segment, a bad `{...}`, more than 8 parameters, a parameter name used twice)
  /// or a method and pattern registered already.
  void add(boost::beast::http::verb method, std::string_view pattern, Handler handler,
           Access access = Access::authenticated);

  /// Sets the check run on every request to a route that needs a token (null: none). Call before
  /// the server starts; `admission` must outlive the Router's use.
  void set_admission(Admission* admission) { admission_ = admission; }
  /// The check set above (null: none), for a route that authenticates itself (the event stream).
  Admission* admission() const { return admission_; }
  /// Answers one request from `client` (the peer's address; unspecified when unknown). Never
  /// throws except std::bad_alloc: every failure becomes a Response. The request must outlive
  /// the returned awaitable. `matched`, if given, receives the index of the route that answered
  /// (in order of add()), or kNoRoute; it must outlive the awaitable.
  boost::asio::awaitable<Response> handle(const Request& request,
                                          boost::asio::ip::address client = {},
                                          std::size_t* matched = nullptr) const;

  static constexpr std::size_t kNoRoute = static_cast<std::size_t>(-1);

  /// The pattern of route `index` (as given by handle()), or "unmatched".
  std::string_view route_pattern(std::size_t index) const;
  /// Every route's method and pattern, in order of add() (the labels of RequestMetrics).
  std::vector<metrics::RequestMetrics::Route> route_patterns() const;
  /// Where the server counts and times what this router answers; null (the default) counts
  /// nothing. Set before the server starts; `m` must outlive the router's use.
  void set_metrics(metrics::RequestMetrics* m) { metrics_ = m; }
  metrics::RequestMetrics* metrics() const { return metrics_; }

  const auth::TokenVerifier* verifier() const { return verifier_; }

 private:
  struct Segment {
    enum class Kind { literal, u64, text } kind;
    std::string value;  // the literal, or the parameter's name
  };
  struct Route {
    boost::beast::http::verb method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
    Access access;
  };
  static constexpr std::size_t kMaxSegments = 32;

  boost::asio::awaitable<Response> dispatch(const Route& route, RequestContext& context,
                                            const std::string_view* segments) const;

  const auth::TokenVerifier* verifier_;
  std::vector<Route> routes_;
  Admission* admission_ = nullptr;
  metrics::RequestMetrics* metrics_ = nullptr;
};

}  // namespace seckill::http
