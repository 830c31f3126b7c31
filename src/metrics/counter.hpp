#pragma once
// Counters cheap enough for the request path: one relaxed atomic add on a cache line that
// belongs (almost always) to the calling thread.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace seckill::metrics {

/// How many copies of each counter a ShardedCounters keeps. I/O threads pick their copy by a
/// thread-local index, so two threads share a cache line only beyond this many threads (then
/// the atomics still count correctly, just with some contention).
inline constexpr std::size_t kShards = 8;

/// The calling thread's shard, 0..kShards-1; fixed for the thread's life.
std::size_t this_thread_shard();

/// `size` counters, each kept once per shard. add() touches the caller's shard only; value()
/// sums every shard (for the scraper: rare, and racy only in that it may miss an add that is
/// happening at the same moment). Thread-safe.
class ShardedCounters {
 public:
  explicit ShardedCounters(std::size_t size);

  void add(std::size_t index, std::uint64_t n = 1) {
    cells_[this_thread_shard() * stride_ + index].fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t value(std::size_t index) const;
  std::size_t size() const { return size_; }

 private:
  std::size_t size_;
  std::size_t stride_;  ///< size_ rounded up to whole cache lines, so shards never share one
  std::unique_ptr<std::atomic<std::uint64_t>[]> cells_;
};

}  // namespace seckill::metrics
