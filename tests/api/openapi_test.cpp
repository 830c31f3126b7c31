#include <filesystem>
#include <set>
#include <string>
#include <unistd.h>
#include <utility>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include "api/openapi_route.hpp"
#include "app/config.hpp"
#include "app/embedded_backend.hpp"
#include "app/io_threads.hpp"
#include "app/operations.hpp"
#include "auth/token_verifier.hpp"
#include "http/router.hpp"

namespace seckill::api {
namespace {

using Route = std::pair<std::string, std::string>;  // method, OpenAPI path

/// "/api/v1/vouchers/{id:u64}" -> "/api/v1/vouchers/{id}": the router's pattern as an OpenAPI
/// path template.
std::string openapi_path(std::string_view pattern) {
  std::string out;
  bool in_param = false;
  bool in_type = false;
  for (char c : pattern) {
    if (c == '{') in_param = true;
    if (c == '}') in_param = in_type = false;
    if (in_param && c == ':') in_type = true;
    if (!in_type) out.push_back(c);
  }
  return out;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return out;
}

std::set<Route> documented_routes() {
  auto doc = boost::json::parse(openapi_document());
  std::set<Route> out;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      out.emplace(upper(method), std::string(path));
    }
  }
  return out;
}

std::set<Route> routes_of(const http::Router& router) {
  std::set<Route> out;
  for (const auto& r : router.route_patterns())
    out.emplace(r.method, openapi_path(r.pattern));
  return out;
}

/// The routes `serve` registers in the embedded mode (the distributed mode registers the same
/// table: DistributedBackend::add_routes adds what EmbeddedBackend::add_routes does).
class ServeRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("seckill_openapi_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    config_.data_dir = dir_.string();
    backend_ = std::make_unique<app::EmbeddedBackend>(config_, threads_);
  }
  void TearDown() override {
    backend_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  app::ServeConfig config_;
  app::IoThreads threads_{1};
  auth::TokenVerifier verifier_{std::string(32, 's'), auth::ClaimRules{}};
  std::unique_ptr<app::EmbeddedBackend> backend_;
};

TEST(OpenApiPath, DropsParameterTypes) {
  EXPECT_EQ(openapi_path("/api/v1/vouchers/{id:u64}/orders"), "/api/v1/vouchers/{id}/orders");
  EXPECT_EQ(openapi_path("/api/v1/tickets/{ticket}/reminders"),
            "/api/v1/tickets/{ticket}/reminders");
  EXPECT_EQ(openapi_path("/"), "/");
}

TEST(OpenApiDocument, IsOpenApi31) {
  auto doc = boost::json::parse(openapi_document());
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
  EXPECT_TRUE(doc.at("components").at("securitySchemes").as_object().contains("bearer"));
}

TEST_F(ServeRoutes, EveryRouteIsDocumentedAndEveryDocumentedPathIsARoute) {
  http::Router router(&verifier_);
  app::add_serve_routes(router, *backend_, verifier_, config_.token_max_ttl, [] { return 0U; });
  const auto served = routes_of(router);
  const auto documented = documented_routes();
  ASSERT_GT(served.size(), 15U);
  for (const auto& route : served) {
    EXPECT_TRUE(documented.contains(route))
        << route.first << " " << route.second << " is served but not in src/api/openapi.json";
  }
  for (const auto& route : documented) {
    EXPECT_TRUE(served.contains(route))
        << route.first << " " << route.second << " is documented but not served";
  }
}

TEST_F(ServeRoutes, TheMetricsListenerRoutesAreDocumented) {
  http::Router router(&verifier_);
  http::Router metrics_router(nullptr);
  app::add_serve_routes(
      router, *backend_, verifier_, config_.token_max_ttl, [] { return 0U; }, &metrics_router);
  const auto documented = documented_routes();
  for (const auto& route : routes_of(metrics_router)) {
    EXPECT_TRUE(documented.contains(route)) << route.first << " " << route.second;
  }
}

}  // namespace
}  // namespace seckill::api
