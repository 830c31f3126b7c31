#pragma once
// A check the Router runs on every request that needs a token, before its handler: whether to
// serve this request at all. Rate limiting is one (api/rate_limit_admission.hpp); the Router
// knows only this interface.

#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include "auth/principal.hpp"
#include "core/error_code.hpp"

namespace seckill::http {

class Admission {
 public:
  virtual ~Admission() = default;

  /// Before the bearer token is checked, knowing only where the request comes from (an
  /// unspecified address when the Router was not told). A Failure is the answer instead.
  /// Must not throw except std::bad_alloc.
  virtual boost::asio::awaitable<std::optional<Failure>> before_authentication(
      boost::asio::ip::address client) = 0;

  /// After the token was accepted and the role allowed, knowing the caller.
  virtual boost::asio::awaitable<std::optional<Failure>> after_authentication(
      auth::Principal caller) = 0;
};

}  // namespace seckill::http
