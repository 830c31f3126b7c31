#include "http/health.hpp"

#include <exception>
#include <memory>

#include <boost/json/object.hpp>
#include <spdlog/spdlog.h>

#include "http/json_response.hpp"

namespace seckill::http {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kHealthy = R"({"status":"ok"})";
constexpr std::string_view kDraining = R"({"status":"draining"})";

struct Readiness {
  std::vector<NamedProbe> probes;
  std::vector<NamedReport> reports;
};

boost::asio::awaitable<HandlerResult> check_readiness(std::shared_ptr<const Readiness> readiness,
                                                      const std::atomic<bool>* draining) {
  if (draining != nullptr && draining->load()) {
    co_return Response::from_static(bhttp::status::service_unavailable, kDraining);
  }
  const auto* probes = &readiness->probes;
  boost::json::object backends;
  bool ready = true;
  for (const auto& p : *probes) {
    bool up = false;
    try {
      up = co_await p.probe();
    } catch (const std::exception& e) {
      spdlog::warn("readiness probe {} failed: {}", p.name, e.what());
    }
    backends[p.name] = up ? "ok" : "down";
    ready = ready && up;
  }
  boost::json::object body;
  body["status"] = ready ? "ok" : "unavailable";
  body["backends"] = std::move(backends);
  for (const auto& r : readiness->reports) {
    try {
      body[r.name] = r.report();
    } catch (const std::exception& e) {
      spdlog::warn("readiness report {} failed: {}", r.name, e.what());
    }
  }
  co_return json_response(ready ? bhttp::status::ok : bhttp::status::service_unavailable, body);
}

}  // namespace

void add_health_routes(Router& router, std::vector<NamedProbe> probes,
                       std::vector<NamedReport> reports, const std::atomic<bool>* draining) {
  router.add(
      bhttp::verb::get, "/healthz",
      [](RequestContext&) -> boost::asio::awaitable<HandlerResult> {
        co_return Response::from_static(bhttp::status::ok, kHealthy);
      },
      Access::anyone);
  // Not a coroutine itself: it hands its captured probes, by value, to one.
  auto shared = std::make_shared<const Readiness>(Readiness{std::move(probes), std::move(reports)});
  router.add(
      bhttp::verb::get, "/readyz",
      [shared, draining](RequestContext&) { return check_readiness(shared, draining); },
      Access::anyone);
}

}  // namespace seckill::http
