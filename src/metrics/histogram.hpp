#pragma once
// Latency histograms with fixed buckets, for one or many series (e.g. one per route).

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/counter.hpp"

namespace seckill::metrics {

/// Upper bounds of the buckets, in seconds, from 100 µs to 10 s: wide enough for a /healthz
/// answer and for a PostgreSQL batch under load. `+Inf` is implied.
inline constexpr std::array<double, 16> kLatencyBounds = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   5.0,  10.0};

/// `series` histograms over kLatencyBounds. observe() is a bucket search over 16 bounds and two
/// relaxed atomic adds on the caller's shard. Thread-safe.
class LatencyHistograms {
 public:
  explicit LatencyHistograms(std::size_t series);

  void observe(std::size_t series, std::chrono::nanoseconds elapsed);

  struct Snapshot {
    /// Cumulative counts per bound, then +Inf (== count).
    std::array<std::uint64_t, kLatencyBounds.size() + 1> cumulative{};
    double sum_seconds = 0;
    std::uint64_t count() const { return cumulative.back(); }
  };
  Snapshot snapshot(std::size_t series) const;
  std::size_t series() const { return series_; }

 private:
  static constexpr std::size_t kCells = kLatencyBounds.size() + 2;  // buckets, +Inf, sum (ns)
  std::size_t series_;
  ShardedCounters cells_;
};

/// A single series of counts (no latency), e.g. batch sizes: `bounds` are the buckets' upper
/// bounds. Thread-safe.
class ValueHistogram {
 public:
  template <std::size_t N>
  explicit ValueHistogram(const std::array<double, N>& bounds)
      : bounds_(bounds.begin(), bounds.end()), cells_(N + 2) {}

  void observe(double value);

  /// Appends the `name_bucket`, `name_sum` and `name_count` lines (no HELP/TYPE) with `labels`
  /// (already formatted, e.g. `queue="orders"`, or empty).
  void write(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  std::vector<double> bounds_;
  ShardedCounters cells_;  ///< buckets, +Inf, sum (in millionths)
};

}  // namespace seckill::metrics
