#pragma once
// What the service needs to limit request rates: one token bucket per key, kept where every
// instance of the service sees it. Implemented by the coordinators (Redis in the distributed
// mode, process memory in the embedded mode); which keys and limits apply to a request is decided
// by api/rate_limit_admission.cpp; the bucket arithmetic is core/rate_limit.hpp.

#include <chrono>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "core/rate_limit.hpp"

namespace seckill::ratelimit {

struct RateDecision {
  bool allowed = true;
  /// When a refused caller can succeed again.
  std::chrono::milliseconds retry_after{0};
};

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;

  /// Takes one request from the bucket named `key` (e.g. "user:42", "ip:127.0.0.1"), creating it
  /// full when it does not exist. Buckets are forgotten once they would be full again, so memory
  /// is bounded by the keys active within time_to_full(limit). Runs on the caller's I/O thread.
  /// Throws seckill::InfraError when the backend that holds the buckets does not answer.
  virtual boost::asio::awaitable<RateDecision> take(std::string_view key, RateLimit limit) = 0;
};

}  // namespace seckill::ratelimit
