#pragma once
// What `seckill bench` is asked to do, as a plain struct with defaults (filled by app/cli.cpp).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "loadgen/scenario.hpp"

namespace seckill::loadgen {

struct Target {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
};

struct BenchOptions {
  Scenario scenario = Scenario::healthz;
  /// Connections are spread over the targets in turn (connection i goes to target i % n).
  std::vector<Target> targets{Target{}};
  unsigned connections = 64;
  unsigned threads = 1;  ///< the load generator's own threads
  std::chrono::milliseconds duration = std::chrono::seconds(10);
  /// Requests answered in this first stretch are not counted (the server warms up).
  std::chrono::milliseconds warmup{0};
  /// 0: closed loop (every connection sends its next request when the last is answered).
  /// Otherwise open loop at this many requests/s in total, each latency counted from the time
  /// the request was due to be sent, so a stalled server shows in the percentiles.
  double rate = 0;
  /// Scenarios with a new user per request (sale, soldout, remind-new, mixed): this many
  /// distinct users, each sending once; the run ends after the last is answered, or at
  /// `duration`. 0: as many as the duration takes.
  std::uint64_t users = 0;
  /// sale and mixed: the stock of the voucher the run creates.
  std::int64_t stock = 1000;
  std::uint64_t first_user = 1'000'000;
  /// A voucher to use instead of creating one (decimal id); "" to create one.
  std::string voucher;
  /// The ticket reminded; "" for a fresh one per run.
  std::string ticket;
  std::string jwt_secret;
  bool json = false;      ///< the report as JSON on stdout instead of text
  std::string html_file;  ///< also write the report as a self-contained HTML page
  bool progress = true;   ///< a progress line on stderr each second
};

}  // namespace seckill::loadgen
