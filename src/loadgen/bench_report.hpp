#pragma once
// The outcome of one load generator run, and its three renderings: text for a terminal, JSON for
// scripts, and an HTML page with the throughput over time and the latency percentiles as SVG.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "loadgen/bench_options.hpp"
#include "loadgen/latency_histogram.hpp"

namespace seckill::loadgen {

struct BenchReport {
  BenchOptions options;
  std::string voucher;         ///< the voucher used, if any
  std::string ticket;          ///< the ticket used, if any
  double elapsed_s = 0;        ///< measured stretch (after the warm-up) until the last answer
  std::uint64_t requests = 0;  ///< answered requests counted (after the warm-up)
  std::uint64_t transport_errors = 0;  ///< connect, read, write or framing failures
  LatencyHistogram latency;
  std::map<int, std::uint64_t> statuses;
  std::map<std::string, std::uint64_t> codes;        ///< error codes of non-2xx answers
  double interval_s = 0.1;                           ///< width of one throughput sample
  std::vector<std::uint64_t> answered_per_interval;  ///< from the start, warm-up included
  /// GET of the voucher after the run (sale, soldout, mixed); -1 if not read.
  std::int64_t stock_left_after = -1;

  double requests_per_s() const {
    return elapsed_s > 0 ? static_cast<double>(requests) / elapsed_s : 0;
  }
  std::uint64_t status_count(int status) const;
};

std::string to_text(const BenchReport& report);
std::string to_json(const BenchReport& report);
std::string to_html(const BenchReport& report);

}  // namespace seckill::loadgen
