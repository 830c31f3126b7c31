#include "coordinator/embedded/in_process_rate_limiter.hpp"

#include <algorithm>
#include <atomic>

#include <spdlog/spdlog.h>

namespace seckill::coordinator::embedded {

InProcessRateLimiter::InProcessRateLimiter(Clock clock, std::size_t max_keys)
    : clock_(std::move(clock)), max_keys_per_shard_(std::max<std::size_t>(1, max_keys / kShards)) {}

std::int64_t InProcessRateLimiter::steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

boost::asio::awaitable<ratelimit::RateDecision> InProcessRateLimiter::take(std::string_view key,
                                                                           RateLimit limit) {
  co_return take_now(key, limit);
}

ratelimit::RateDecision InProcessRateLimiter::take_now(std::string_view key,
                                                       const RateLimit& limit) {
  const std::int64_t now = clock_();
  Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(std::string(key));
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= shard.sweep_at) sweep(shard, now);
    // Not another sweep here: under a flood of new keys it would cost the whole shard per
    // request. The least recently used bucket is the one to give up.
    if (shard.buckets.size() >= max_keys_per_shard_) {
      static std::atomic<bool> warned{false};
      if (!warned.exchange(true)) {
        spdlog::warn(
            "rate limiter: {} buckets in use, the least recently used are dropped for new keys",
            max_keys_per_shard_ * kShards);
      }
      while (shard.buckets.size() >= max_keys_per_shard_)
        evict_oldest(shard);
    }
    it = shard.buckets.emplace(std::string(key), Entry{}).first;
    shard.recency.push_front(&it->first);
    it->second.recency = shard.recency.begin();
    auto decision = take_token(nullptr, now, limit);
    it->second.state = decision.next;
    it->second.forget_at_ms = now + time_to_full(limit).count();
    return {decision.allowed, decision.retry_after};
  }
  shard.recency.splice(shard.recency.begin(), shard.recency, it->second.recency);
  auto decision = take_token(&it->second.state, now, limit);
  it->second.state = decision.next;
  it->second.forget_at_ms = now + time_to_full(limit).count();
  return {decision.allowed, decision.retry_after};
}

void InProcessRateLimiter::sweep(Shard& shard, std::int64_t now_ms) {
  for (auto it = shard.buckets.begin(); it != shard.buckets.end();) {
    if (it->second.forget_at_ms <= now_ms) {
      shard.recency.erase(it->second.recency);
      it = shard.buckets.erase(it);
    } else {
      ++it;
    }
  }
  // Sweep again once the map has doubled: amortised O(1) per new key.
  shard.sweep_at = std::max<std::size_t>(1024, shard.buckets.size() * 2);
}

void InProcessRateLimiter::evict_oldest(Shard& shard) {
  if (shard.recency.empty()) return;
  // Found first and erased by iterator: the key the list points at lives in that very node.
  auto it = shard.buckets.find(*shard.recency.back());
  shard.recency.pop_back();
  if (it != shard.buckets.end()) shard.buckets.erase(it);
}

std::size_t InProcessRateLimiter::size() const {
  std::size_t n = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    n += shard.buckets.size();
  }
  return n;
}

}  // namespace seckill::coordinator::embedded
