#pragma once
// The HTTP server's own figures: requests by route and status, and their latency.

#include <array>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "metrics/counter.hpp"
#include "metrics/histogram.hpp"

namespace seckill::metrics {

/// Counts answered requests per (route, status) and times them per route. Routes are labelled
/// by their pattern (`/api/v1/vouchers/{id:u64}`), never by the raw path, so the number of
/// series stays bounded whatever clients send; requests that match no route share one label.
/// observe() is lock-free and allocation-free; thread-safe.
///
///   seckill_http_requests_total{method="GET",route="/healthz",status="200"}
///   seckill_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="0.001"}
class RequestMetrics {
 public:
  struct Route {
    std::string method;   ///< e.g. "GET"
    std::string pattern;  ///< e.g. "/api/v1/vouchers/{id:u64}"
  };
  /// The route index passed to observe() is an index into `routes`; routes.size() (or more)
  /// means "matched no route".
  explicit RequestMetrics(std::vector<Route> routes);

  void observe(std::size_t route, unsigned status, std::chrono::nanoseconds elapsed);

  /// Appends both families in the text format.
  void write(std::string& out) const;

 private:
  /// The statuses the service answers, each with its own slot; anything else shares the last.
  static constexpr std::array<unsigned, 16> kStatuses = {200, 201, 204, 304, 400, 401, 403, 404,
                                                         405, 409, 413, 429, 431, 500, 503, 0};
  static std::size_t status_slot(unsigned status);

  std::vector<std::string> labels_;  ///< per route, then the unmatched label
  ShardedCounters counts_;           ///< [route][status slot]
  LatencyHistograms latency_;        ///< [route]
};

}  // namespace seckill::metrics
