#pragma once
// How long the calls to Redis, PostgreSQL and SQLite take, as their callers wait for them, and
// how many fail.

#include <chrono>
#include <cstddef>
#include <string>

#include "metrics/counter.hpp"
#include "metrics/histogram.hpp"

namespace seckill::metrics {

enum class Backend { redis, postgres, sqlite };

/// One latency series and one error count per backend. Thread-safe, lock-free.
///
///   seckill_backend_call_duration_seconds{backend="redis"}   (histogram)
///   seckill_backend_call_errors_total{backend="postgres"}    (an exception: I/O, timeout, SQL)
class BackendCalls {
 public:
  BackendCalls() : latency_(kBackends), errors_(kBackends) {}

  void observe(Backend backend, std::chrono::nanoseconds elapsed, bool failed) {
    const auto i = static_cast<std::size_t>(backend);
    latency_.observe(i, elapsed);
    if (failed) errors_.add(i);
  }

  /// Appends both families, with the backends that were called at least once.
  void write(std::string& out) const;

 private:
  static constexpr std::size_t kBackends = 3;
  LatencyHistograms latency_;
  ShardedCounters errors_;
};

/// Times one call from construction to destruction; a call whose ok() was not reached (an
/// exception left the scope) counts as failed. With null `calls` it does nothing. Meant for
/// coroutine frames: it survives suspension.
class CallTimer {
 public:
  CallTimer(BackendCalls* calls, Backend backend)
      : calls_(calls),
        backend_(backend),
        started_(calls != nullptr ? std::chrono::steady_clock::now()
                                  : std::chrono::steady_clock::time_point{}) {}
  ~CallTimer() {
    if (calls_ != nullptr) {
      calls_->observe(backend_, std::chrono::steady_clock::now() - started_, !ok_);
    }
  }
  CallTimer(const CallTimer&) = delete;
  CallTimer& operator=(const CallTimer&) = delete;

  void ok() { ok_ = true; }

 private:
  BackendCalls* calls_;
  Backend backend_;
  std::chrono::steady_clock::time_point started_;
  bool ok_ = false;
};

}  // namespace seckill::metrics
