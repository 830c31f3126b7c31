#include "metrics/backend_calls.hpp"

#include <array>
#include <string_view>

#include "metrics/text_format.hpp"

namespace seckill::metrics {

void BackendCalls::write(std::string& out) const {
  static constexpr std::array<std::string_view, kBackends> kNames = {"redis", "postgres", "sqlite"};
  write_family(out, "seckill_backend_call_duration_seconds", "histogram",
               "Time a caller waits for one call to a backend (queueing in the pool included).");
  for (std::size_t i = 0; i < kBackends; ++i) {
    auto snap = latency_.snapshot(i);
    if (snap.count() == 0) continue;
    write_histogram(out, "seckill_backend_call_duration_seconds", label("backend", kNames[i]),
                    snap);
  }
  write_family(out, "seckill_backend_call_errors_total", "counter",
               "Backend calls that failed (I/O, timeout, refused).");
  for (std::size_t i = 0; i < kBackends; ++i) {
    if (latency_.snapshot(i).count() == 0) continue;
    write_sample(out, "seckill_backend_call_errors_total", label("backend", kNames[i]),
                 errors_.value(i));
  }
}

}  // namespace seckill::metrics
