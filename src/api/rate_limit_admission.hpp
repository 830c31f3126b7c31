#pragma once
// Rate limiting of the API: which buckets a request takes from, and what a refusal looks like.
//
//   per client address: before the token is checked, on every route that needs a token (so a
//     flood of bad tokens is limited too); bucket "ip:KEY", KEY being http::ClientKey's text:
//     the IPv4 address (IPv4-mapped IPv6 as IPv4), or the IPv6 /64 prefix (`2001:db8::/64`);
//   per user: after the token is accepted; bucket "user:ID".
// Health and metrics routes (no token) are never limited: load balancers poll them.
// A refusal is 429 `rate_limited` with `retry_after_s` and a `Retry-After` header (whole
// seconds, at least 1). When the limiter's backend does not answer, the request passes (a
// limiter protects the service; it must not become the reason it is down) and a warning is
// logged at most every 10 s.

#include <atomic>
#include <cstdint>
#include <optional>

#include "core/rate_limit.hpp"
#include "http/admission.hpp"
#include "ratelimit/rate_limiter.hpp"

namespace seckill::api {

struct RateLimits {
  std::optional<RateLimit> per_user;
  std::optional<RateLimit> per_address;
};

class RateLimitAdmission final : public http::Admission {
 public:
  /// `limiter` must outlive this.
  RateLimitAdmission(ratelimit::RateLimiter& limiter, RateLimits limits);

  boost::asio::awaitable<std::optional<Failure>> before_authentication(
      boost::asio::ip::address client) override;
  boost::asio::awaitable<std::optional<Failure>> after_authentication(
      auth::Principal caller) override;

 private:
  boost::asio::awaitable<std::optional<Failure>> take(std::string key, RateLimit limit,
                                                      const char* who);

  ratelimit::RateLimiter& limiter_;
  RateLimits limits_;
  std::atomic<std::int64_t> last_warning_ms_{0};
};

}  // namespace seckill::api
