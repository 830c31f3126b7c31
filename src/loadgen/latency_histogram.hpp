#pragma once
// Latencies of many requests in constant memory, for percentiles (the HdrHistogram idea): exact
// below 64 ns, then 64 buckets per power of two, so every recorded value is known to within
// 1/64 (1.6 %) whatever its size. One per load generator thread, merged at the end.

#include <array>
#include <chrono>
#include <cstdint>

namespace seckill::loadgen {

class LatencyHistogram {
 public:
  using Nanos = std::chrono::nanoseconds;

  /// Counts one latency. Negative values count as 0; values beyond ~18 minutes as ~18 minutes.
  void record(Nanos latency);
  /// Adds every count of `other` (from another thread).
  void merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  Nanos min() const { return count_ == 0 ? Nanos{0} : Nanos{min_}; }
  Nanos max() const { return Nanos{max_}; }
  Nanos mean() const;

  /// The smallest recorded value v such that at least `percent` % of the values are <= v, given
  /// as the upper edge of v's bucket (so it is never below the true value, and above it by at
  /// most 1.6 %), and never above max(). 0 with no values. `percent` in [0, 100].
  Nanos percentile(double percent) const;

  /// Bucket arithmetic, public for tests.
  static std::size_t bucket_of(std::uint64_t nanos);
  /// The largest value that lands in `bucket`.
  static std::uint64_t upper_edge(std::size_t bucket);

 private:
  static constexpr int kSubBits = 6;   // 64 buckets per power of two
  static constexpr int kMaxBits = 40;  // 2^40 ns ≈ 18 minutes
  static constexpr std::size_t kBuckets = (kMaxBits - kSubBits + 1) << kSubBits;

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace seckill::loadgen
