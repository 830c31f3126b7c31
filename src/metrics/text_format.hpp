#pragma once
// The Prometheus text exposition format (version 0.0.4), written by hand: a scrape is a few
// kilobytes of `name{labels} value` lines.

#include <cstdint>
#include <string>
#include <string_view>

#include "metrics/histogram.hpp"

namespace seckill::metrics {

inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

/// `# HELP name help` and `# TYPE name type` (type: counter, gauge, histogram).
void write_family(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help);

/// `name{labels} value`; `labels` already formatted (`route="/healthz",status="200"`) or empty.
void write_sample(std::string& out, std::string_view name, std::string_view labels,
                  std::uint64_t value);
void write_sample(std::string& out, std::string_view name, std::string_view labels, double value);

/// The `_bucket`, `_sum` and `_count` lines of one histogram series.
void write_histogram(std::string& out, std::string_view name, std::string_view labels,
                     const LatencyHistograms::Snapshot& snapshot);

/// `key="value"` with the value escaped (backslash, double quote, newline).
std::string label(std::string_view key, std::string_view value);

}  // namespace seckill::metrics
