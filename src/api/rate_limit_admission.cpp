#include "api/rate_limit_admission.hpp"

#include <chrono>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/infra_error.hpp"
#include "http/client_key.hpp"

namespace seckill::api {

namespace {

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

RateLimitAdmission::RateLimitAdmission(ratelimit::RateLimiter& limiter, RateLimits limits)
    : limiter_(limiter), limits_(limits) {}

boost::asio::awaitable<std::optional<Failure>> RateLimitAdmission::before_authentication(
    boost::asio::ip::address client) {
  if (!limits_.per_address || client.is_unspecified()) co_return std::nullopt;
  std::string key = "ip:" + http::ClientKey::of(client).to_string();
  co_return co_await take(std::move(key), *limits_.per_address, "this address");
}

boost::asio::awaitable<std::optional<Failure>> RateLimitAdmission::after_authentication(
    auth::Principal caller) {
  if (!limits_.per_user) co_return std::nullopt;
  std::string key = "user:" + std::to_string(caller.user_id);
  co_return co_await take(std::move(key), *limits_.per_user, "this user");
}

boost::asio::awaitable<std::optional<Failure>> RateLimitAdmission::take(std::string key,
                                                                        RateLimit limit,
                                                                        const char* who) {
  ratelimit::RateDecision decision;
  bool answered = true;
  try {
    decision = co_await limiter_.take(key, limit);
  } catch (const InfraError& e) {
    answered = false;
    const auto now = steady_ms();
    auto last = last_warning_ms_.load(std::memory_order_relaxed);
    if (now - last >= 10'000 && last_warning_ms_.compare_exchange_strong(last, now)) {
      spdlog::warn("rate limiter unavailable, requests pass unlimited: {}", e.what());
    }
  }
  if (!answered || decision.allowed) co_return std::nullopt;
  const long long seconds = std::max<long long>(1, (decision.retry_after.count() + 999) / 1000);
  co_return Failure{ErrorCode::rate_limited,
                    fmt::format("too many requests from {}; retry in {} s", who, seconds), seconds};
}

}  // namespace seckill::api
