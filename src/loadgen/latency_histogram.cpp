#include "loadgen/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace seckill::loadgen {

std::size_t LatencyHistogram::bucket_of(std::uint64_t nanos) {
  constexpr std::uint64_t kLimit = (std::uint64_t{1} << kMaxBits) - 1;
  nanos = std::min(nanos, kLimit);
  constexpr std::uint64_t kSub = std::uint64_t{1} << kSubBits;
  if (nanos < kSub) return static_cast<std::size_t>(nanos);
  const int top = static_cast<int>(std::bit_width(nanos)) - 1;  // >= kSubBits
  const int shift = top - kSubBits;
  const std::uint64_t sub = (nanos >> shift) - kSub;  // 0..63
  return static_cast<std::size_t>(((static_cast<std::uint64_t>(shift) + 1) << kSubBits) + sub);
}

std::uint64_t LatencyHistogram::upper_edge(std::size_t bucket) {
  constexpr std::size_t kSub = std::size_t{1} << kSubBits;
  if (bucket < kSub) return bucket;
  const std::size_t shift = (bucket >> kSubBits) - 1;
  const std::uint64_t sub = bucket & (kSub - 1);
  const std::uint64_t lower = (kSub + sub) << shift;
  return lower + ((std::uint64_t{1} << shift) - 1);
}

void LatencyHistogram::record(Nanos latency) {
  const auto n = static_cast<std::uint64_t>(std::max<std::int64_t>(latency.count(), 0));
  ++counts_[bucket_of(n)];
  ++count_;
  min_ = std::min(min_, n);
  max_ = std::max(max_, n);
  sum_ += static_cast<long double>(n);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i)
    counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

LatencyHistogram::Nanos LatencyHistogram::mean() const {
  if (count_ == 0) return Nanos{0};
  return Nanos{static_cast<std::int64_t>(std::llround(sum_ / static_cast<long double>(count_)))};
}

LatencyHistogram::Nanos LatencyHistogram::percentile(double percent) const {
  if (count_ == 0) return Nanos{0};
  percent = std::clamp(percent, 0.0, 100.0);
  // The rank of the value asked for, 1-based: at least one value, at most all of them.
  auto rank =
      static_cast<std::uint64_t>(std::ceil(percent / 100.0 * static_cast<double>(count_) - 1e-9));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      return Nanos{static_cast<std::int64_t>(std::min(upper_edge(i), max_))};
    }
  }
  return Nanos{static_cast<std::int64_t>(max_)};
}

}  // namespace seckill::loadgen
