#pragma once
// `seckill bench` from end to end: prepares what the scenario needs (a voucher made with an
// admin token, a sold-out voucher, a fresh ticket, the users' tokens), runs the load, reads the
// voucher back, and writes the report.

#include <atomic>

#include "loadgen/bench_options.hpp"
#include "loadgen/bench_report.hpp"

namespace seckill::loadgen {

/// Prepares and runs one scenario; throws std::runtime_error when the set-up fails (a target
/// down, the voucher refused: wrong --jwt-secret, ...), std::invalid_argument on bad options.
BenchReport run_scenario(const BenchOptions& options, const std::atomic<bool>* stop = nullptr);

/// run_scenario, then the report on stdout (text, or JSON with options.json) and in
/// options.html_file. Returns the exit code: 0, or 1 if nothing was answered.
int run_bench(const BenchOptions& options, const std::atomic<bool>* stop = nullptr);

}  // namespace seckill::loadgen
