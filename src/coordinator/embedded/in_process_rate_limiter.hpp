#pragma once
// The embedded mode's rate limiter: the token buckets in this process's memory (there is only
// one instance in the embedded mode, so that is where every request is seen).

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "ratelimit/rate_limiter.hpp"

namespace seckill::coordinator::embedded {

class InProcessRateLimiter final : public ratelimit::RateLimiter {
 public:
  /// Milliseconds on a monotonic clock; tests pass their own.
  using Clock = std::function<std::int64_t()>;

  /// `max_keys`: buckets kept at most (split over 16 shards by key hash). Buckets that are full
  /// again are forgotten first; when every kept bucket is still in use, the least recently used
  /// one of the key's shard is dropped for the new key (its key starts from a full bucket if it
  /// comes back). So a flood of new keys (rotating IPv6 source addresses) can make the limiter
  /// forget idle keys, but never turns the limit off: every key, new or not, has a bucket.
  explicit InProcessRateLimiter(Clock clock = steady_ms, std::size_t max_keys = 1 << 20);

  /// Never suspends and never throws except std::bad_alloc. Thread-safe.
  boost::asio::awaitable<ratelimit::RateDecision> take(std::string_view key,
                                                       RateLimit limit) override;

  /// The same decision, synchronously (take() is this in a coroutine).
  ratelimit::RateDecision take_now(std::string_view key, const RateLimit& limit);

  /// Buckets held right now (for tests).
  std::size_t size() const;

  static std::int64_t steady_ms();

 private:
  /// Keys by last use, most recent first; each points at its key in `buckets` (the address of
  /// an unordered_map element's key survives rehashing).
  using Recency = std::list<const std::string*>;
  struct Entry {
    BucketState state;
    std::int64_t forget_at_ms = 0;
    Recency::iterator recency;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Entry> buckets;
    Recency recency;
    std::size_t sweep_at = 1024;  ///< sweep when the map grows past this
  };
  static constexpr std::size_t kShards = 16;

  void sweep(Shard& shard, std::int64_t now_ms);
  /// Drops the shard's least recently used bucket.
  static void evict_oldest(Shard& shard);

  Clock clock_;
  std::size_t max_keys_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace seckill::coordinator::embedded
