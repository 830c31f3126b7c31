#pragma once
// The load generator's engine: many keep-alive HTTP/1.1 connections over a few threads (one
// io_context each, a coroutine per connection), closed or open loop, counting into one
// histogram and status table per thread that are merged at the end.

#include <atomic>
#include <string>

#include "loadgen/bench_options.hpp"
#include "loadgen/bench_report.hpp"
#include "loadgen/scenario.hpp"
#include "loadgen/token_book.hpp"

namespace seckill::loadgen {

struct LoadSpec {
  BenchOptions options;
  RequestPlan plan{Scenario::healthz, 0, 0};
  std::string voucher;
  std::string ticket;
  const TokenBook* tokens = nullptr;  ///< needed unless the plan sends healthz only
  /// Set from elsewhere (a signal) to end the run early; requests in flight are still answered.
  const std::atomic<bool>* stop = nullptr;
};

/// Runs the load and fills the measured parts of a report (options, counts, latency, series).
/// Throws std::runtime_error if a target cannot be resolved.
BenchReport run_load(const LoadSpec& spec);

}  // namespace seckill::loadgen
