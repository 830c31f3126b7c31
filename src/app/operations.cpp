#include "app/operations.hpp"

#include <string>
#include <utility>
#include <vector>

#include "api/events_route.hpp"
#include "api/metrics_route.hpp"
#include "api/openapi_route.hpp"
#include "api/revocation_routes.hpp"
#include "dashboard/dashboard_routes.hpp"
#include "http/health.hpp"
#include "metrics/text_format.hpp"

namespace seckill::app {
namespace {

boost::asio::awaitable<void> write_process_metrics(std::function<std::size_t()> open_connections,
                                                   Backend* backend, std::string& out) {
  metrics::write_family(out, "seckill_http_open_connections", "gauge",
                        "HTTP connections open now (event streams included).");
  metrics::write_sample(out, "seckill_http_open_connections", "",
                        static_cast<std::uint64_t>(open_connections()));
  backend->write_metrics(out);
  co_return;
}

}  // namespace

void add_operations_routes(http::Router& router, Backend& backend,
                           const auth::TokenVerifier& verifier,
                           std::function<std::size_t()> open_connections,
                           http::Router* metrics_router) {
  std::vector<api::MetricsSource> sources;
  Backend* b = &backend;
  sources.push_back([open_connections, b](std::string& out) {
    return write_process_metrics(open_connections, b, out);
  });
  auto* sale = backend.sale_service();
  auto* reminders = backend.reminder_service();
  if (sale != nullptr) {
    for (auto& source : api::sale_metrics(*sale))
      sources.push_back(std::move(source));
  }
  if (reminders != nullptr) sources.push_back(api::reminder_metrics(*reminders));
  if (metrics_router != nullptr) {
    api::add_metrics_route(*metrics_router, std::move(sources), &router);
    metrics_router->add(
        boost::beast::http::verb::get, "/healthz",
        [](http::RequestContext&) -> boost::asio::awaitable<http::HandlerResult> {
          co_return http::Response::from_static(boost::beast::http::status::ok,
                                                R"({"status":"ok"})");
        },
        http::Access::anyone);
  } else {
    api::add_metrics_route(router, std::move(sources));
  }
  if (sale != nullptr && reminders != nullptr) {
    api::add_events_route(router, verifier, *sale, *reminders);
  }
  dashboard::add_dashboard_routes(router);
}

void add_serve_routes(http::Router& router, Backend& backend, auth::TokenVerifier& verifier,
                      std::chrono::seconds token_max_ttl,
                      std::function<std::size_t()> open_connections, http::Router* metrics_router,
                      const std::atomic<bool>* draining) {
  http::add_health_routes(router, backend.readiness_probes(), backend.readiness_reports(),
                          draining);
  backend.add_routes(router);
  add_operations_routes(router, backend, verifier, std::move(open_connections), metrics_router);
  api::add_openapi_route(router);
  if (auto* revocations = backend.revocations()) {
    verifier.set_revocations(&revocations->local());
    api::add_revocation_routes(router, *revocations, token_max_ttl);
  }
}

std::unique_ptr<metrics::RequestMetrics> instrument(http::Router& router) {
  auto m = std::make_unique<metrics::RequestMetrics>(router.route_patterns());
  router.set_metrics(m.get());
  return m;
}

}  // namespace seckill::app
