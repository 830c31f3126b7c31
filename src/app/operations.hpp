#pragma once
// The operations views of `serve`, in both modes: GET /metrics, the dashboard at GET / and its
// live feed GET /api/v1/events; and the whole route table of `serve`.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "app/backend.hpp"
#include "auth/token_verifier.hpp"
#include "http/router.hpp"
#include "metrics/request_metrics.hpp"

namespace seckill::app {

/// Adds the routes above. `open_connections` is asked at each scrape. `backend` and `verifier`
/// must outlive the router. With a `metrics_router` (--metrics-listen), GET /metrics and a
/// GET /healthz go there instead, and /metrics is not on `router`; it must outlive `router`.
void add_operations_routes(http::Router& router, Backend& backend,
                           const auth::TokenVerifier& verifier,
                           std::function<std::size_t()> open_connections,
                           http::Router* metrics_router = nullptr);

/// Every route of `serve` on `router`: health, the backend's API, the operations views above,
/// the OpenAPI document and, where the backend keeps them, token revocations (then `verifier`
/// checks them). `draining`, when given, turns /readyz to 503 once set (the drain on SIGTERM).
/// Throws std::invalid_argument for a route registered twice.
void add_serve_routes(http::Router& router, Backend& backend, auth::TokenVerifier& verifier,
                      std::chrono::seconds token_max_ttl,
                      std::function<std::size_t()> open_connections,
                      http::Router* metrics_router = nullptr,
                      const std::atomic<bool>* draining = nullptr);

/// Counts and times every route of `router` from now on; call after the last add(). The
/// returned object must outlive the server.
std::unique_ptr<metrics::RequestMetrics> instrument(http::Router& router);

}  // namespace seckill::app
