#include "metrics/request_metrics.hpp"

#include <algorithm>

#include "metrics/text_format.hpp"

namespace seckill::metrics {

RequestMetrics::RequestMetrics(std::vector<Route> routes)
    : counts_((routes.size() + 1) * kStatuses.size()), latency_(routes.size() + 1) {
  for (const auto& r : routes) {
    labels_.push_back(label("method", r.method) + "," + label("route", r.pattern));
  }
  labels_.push_back(label("method", "") + "," + label("route", "unmatched"));
}

std::size_t RequestMetrics::status_slot(unsigned status) {
  // A short linear scan: the list is 16 entries and the common statuses come first.
  for (std::size_t i = 0; i + 1 < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) return i;
  }
  return kStatuses.size() - 1;
}

void RequestMetrics::observe(std::size_t route, unsigned status, std::chrono::nanoseconds elapsed) {
  route = std::min(route, labels_.size() - 1);
  counts_.add(route * kStatuses.size() + status_slot(status));
  latency_.observe(route, elapsed);
}

void RequestMetrics::write(std::string& out) const {
  write_family(out, "seckill_http_requests_total", "counter",
               "HTTP requests answered, by route pattern and status.");
  for (std::size_t r = 0; r < labels_.size(); ++r) {
    for (std::size_t s = 0; s < kStatuses.size(); ++s) {
      auto n = counts_.value(r * kStatuses.size() + s);
      if (n == 0) continue;
      std::string status = kStatuses[s] == 0 ? "other" : std::to_string(kStatuses[s]);
      write_sample(out, "seckill_http_requests_total", labels_[r] + "," + label("status", status),
                   n);
    }
  }
  write_family(out, "seckill_http_request_duration_seconds", "histogram",
               "Time from a request's last byte read to its handler's answer, by route pattern.");
  for (std::size_t r = 0; r < labels_.size(); ++r) {
    auto snap = latency_.snapshot(r);
    if (snap.count() == 0) continue;
    write_histogram(out, "seckill_http_request_duration_seconds", labels_[r], snap);
  }
}

}  // namespace seckill::metrics
