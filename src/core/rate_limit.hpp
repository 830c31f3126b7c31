#pragma once
// The rule of rate limiting, in one place: a token bucket, and how a rate is written on the
// command line. Pure arithmetic, no I/O. The in-process limiter calls take_token() directly;
// the Redis limiter runs coordinator/redis/rate_limit.lua, which computes exactly the same
// integers (tests/ratelimit compares the two on the same sequence of requests).

#include <chrono>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace seckill {

/// `count` requests per `per`, with bursts of up to `burst` requests after a quiet spell.
struct RateLimit {
  std::int64_t count = 0;
  std::chrono::milliseconds per{1000};
  std::int64_t burst = 0;

  friend bool operator==(const RateLimit&, const RateLimit&) = default;
};

inline constexpr std::int64_t kMaxRateCount = 1'000'000;

/// "R", "R/s", "R/m" or "R/h", optionally followed by ":BURST" (e.g. "10/s", "600/m:50", "5"):
/// R from 1 to 1,000,000 requests per second (the default unit), minute or hour; BURST from 1 to
/// 1,000,000, by default R. A message naming the problem otherwise.
std::expected<RateLimit, std::string> parse_rate_limit(std::string_view text);

/// The inverse, for logs: "10/s:20".
std::string format_rate_limit(const RateLimit& limit);

/// One bucket's state. `level` counts in units of 1/count of a `per`: each millisecond adds
/// `count` units, a request costs `per` milliseconds' worth (per.count() units), and the bucket
/// holds at most burst * per.count() units. All integers, below 2^53 for every valid limit, so
/// Lua's doubles compute the same values as this code.
struct BucketState {
  std::int64_t level = 0;
  std::int64_t at_ms = 0;  ///< when `level` was measured
};

struct BucketDecision {
  bool allowed = false;
  /// When the next request can pass (0 when allowed).
  std::chrono::milliseconds retry_after{0};
  BucketState next;
};

/// Takes one request's worth from a bucket last seen as `state` (`nullptr`: a new, full bucket)
/// at time `now_ms`. A clock that went backwards counts as no time passed.
BucketDecision take_token(const BucketState* state, std::int64_t now_ms, const RateLimit& limit);

/// How long an untouched bucket takes to fill up again: after that its state can be forgotten.
std::chrono::milliseconds time_to_full(const RateLimit& limit);

}  // namespace seckill
