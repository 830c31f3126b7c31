#include "core/rate_limit.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/decimal.hpp"

namespace seckill {

std::expected<RateLimit, std::string> parse_rate_limit(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return std::unexpected(fmt::format("rate '{}' {} (write e.g. 10/s, 600/m:50)", text, why));
  };
  RateLimit limit;
  std::string_view rest = text;
  std::string_view burst_text;
  if (auto colon = rest.find(':'); colon != std::string_view::npos) {
    burst_text = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
    if (burst_text.empty()) return bad("has an empty burst");
  }
  std::string_view count_text = rest;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    count_text = rest.substr(0, slash);
    auto unit = rest.substr(slash + 1);
    if (unit == "s") {
      limit.per = std::chrono::seconds(1);
    } else if (unit == "m") {
      limit.per = std::chrono::minutes(1);
    } else if (unit == "h") {
      limit.per = std::chrono::hours(1);
    } else {
      return bad("has an unknown unit (s, m or h)");
    }
  }
  auto count = parse_decimal<std::int64_t>(count_text);
  if (!count || *count < 1 || *count > kMaxRateCount) {
    return bad(fmt::format("needs a count from 1 to {}", kMaxRateCount));
  }
  limit.count = *count;
  limit.burst = *count;
  if (!burst_text.empty()) {
    auto burst = parse_decimal<std::int64_t>(burst_text);
    if (!burst || *burst < 1 || *burst > kMaxRateCount) {
      return bad(fmt::format("needs a burst from 1 to {}", kMaxRateCount));
    }
    limit.burst = *burst;
  }
  return limit;
}

std::string format_rate_limit(const RateLimit& limit) {
  const char* unit = limit.per == std::chrono::hours(1)     ? "h"
                     : limit.per == std::chrono::minutes(1) ? "m"
                                                            : "s";
  return fmt::format("{}/{}:{}", limit.count, unit, limit.burst);
}

BucketDecision take_token(const BucketState* state, std::int64_t now_ms, const RateLimit& limit) {
  const std::int64_t cost = limit.per.count();
  const std::int64_t capacity = limit.burst * cost;
  std::int64_t level = capacity;
  if (state != nullptr) {
    const std::int64_t elapsed = std::max<std::int64_t>(0, now_ms - state->at_ms);
    // Bounded before multiplying: past time_to_full the bucket is full anyway.
    const std::int64_t useful = std::min(elapsed, capacity / limit.count + 1);
    level = std::min(capacity, std::max<std::int64_t>(0, state->level) + useful * limit.count);
  }
  BucketDecision decision;
  if (level >= cost) {
    decision.allowed = true;
    level -= cost;
  } else {
    decision.retry_after =
        std::chrono::milliseconds((cost - level + limit.count - 1) / limit.count);
  }
  decision.next = BucketState{level, now_ms};
  return decision;
}

std::chrono::milliseconds time_to_full(const RateLimit& limit) {
  const std::int64_t capacity = limit.burst * limit.per.count();
  return std::chrono::milliseconds(capacity / limit.count + 1);
}

}  // namespace seckill
