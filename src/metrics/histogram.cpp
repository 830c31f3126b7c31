#include "metrics/histogram.hpp"

#include <fmt/format.h>

#include "metrics/text_format.hpp"

namespace seckill::metrics {
namespace {

/// The bounds in nanoseconds, so observe() compares integers.
constexpr auto kBoundsNs = [] {
  std::array<std::int64_t, kLatencyBounds.size()> ns{};
  for (std::size_t i = 0; i < ns.size(); ++i) {
    ns[i] = static_cast<std::int64_t>(kLatencyBounds[i] * 1e9 + 0.5);
  }
  return ns;
}();

constexpr double kValueSumScale = 1e6;

}  // namespace

LatencyHistograms::LatencyHistograms(std::size_t series)
    : series_(series), cells_(series * kCells) {}

void LatencyHistograms::observe(std::size_t series, std::chrono::nanoseconds elapsed) {
  const std::int64_t ns = elapsed.count() < 0 ? 0 : elapsed.count();
  std::size_t bucket = 0;
  while (bucket < kBoundsNs.size() && ns > kBoundsNs[bucket])
    ++bucket;
  const std::size_t base = series * kCells;
  cells_.add(base + bucket);
  cells_.add(base + kCells - 1, static_cast<std::uint64_t>(ns));
}

LatencyHistograms::Snapshot LatencyHistograms::snapshot(std::size_t series) const {
  Snapshot s;
  const std::size_t base = series * kCells;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= kLatencyBounds.size(); ++i) {
    running += cells_.value(base + i);
    s.cumulative[i] = running;
  }
  s.sum_seconds = static_cast<double>(cells_.value(base + kCells - 1)) / 1e9;
  return s;
}

void ValueHistogram::observe(double value) {
  std::size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket])
    ++bucket;
  cells_.add(bucket);
  cells_.add(bounds_.size() + 1, static_cast<std::uint64_t>(value * kValueSumScale));
}

void ValueHistogram::write(std::string& out, std::string_view name, std::string_view labels) const {
  const std::string_view sep = labels.empty() ? "" : ",";
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    running += cells_.value(i);
    fmt::format_to(std::back_inserter(out), "{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep,
                   bounds_[i], running);
  }
  running += cells_.value(bounds_.size());
  fmt::format_to(std::back_inserter(out), "{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep,
                 running);
  write_sample(out, std::string(name) + "_sum", labels,
               static_cast<double>(cells_.value(bounds_.size() + 1)) / kValueSumScale);
  write_sample(out, std::string(name) + "_count", labels, running);
}

}  // namespace seckill::metrics
