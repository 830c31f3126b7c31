#pragma once
// The shape of a request handler, and how it says "no".

#include <expected>
#include <functional>
#include <string>
#include <utility>

#include <boost/asio/awaitable.hpp>

#include "core/error_code.hpp"
#include "http/request_context.hpp"
#include "http/response.hpp"

namespace seckill::http {

/// What a handler produces: a Response, or a Failure that the server turns into the contract's
/// error body (http/error_response.hpp).
///
/// Failures are values, not exceptions, because they are the common case of a flash sale (almost
/// every order attempt ends `sold_out` or `already_ordered`) and the use cases already return
/// `std::expected<T, Failure>`: a handler forwards them with `co_return std::unexpected(...)`.
/// Exceptions remain for the unexpected: a seckill::InfraError escaping a handler becomes 503
/// `unavailable`, anything else 500 `internal` (logged; the client never sees its message).
using HandlerResult = std::expected<Response, Failure>;

/// A handler runs on the connection's thread and may co_await anything bound to that
/// io_context. It is stored in the Router, which outlives every request, so a coroutine lambda
/// may capture by value what it needs (the lambda object lives as long as the Router).
using Handler = std::function<boost::asio::awaitable<HandlerResult>(RequestContext&)>;

/// Shorthand for handlers: `co_return fail(ErrorCode::bad_request, "title must be a string");`
inline std::unexpected<Failure> fail(ErrorCode code, std::string message) {
  return std::unexpected(Failure{code, std::move(message), {}});
}

}  // namespace seckill::http
