#include <atomic>
#include <cstring>
#include <memory>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include "api/rate_limit_admission.hpp"
#include "api/revocation_routes.hpp"
#include "app/commands.hpp"
#include "app/distributed_backend.hpp"
#include "app/embedded_backend.hpp"
#include "app/io_threads.hpp"
#include "app/logging.hpp"
#include "app/open_files.hpp"
#include "app/operations.hpp"
#include "auth/token_verifier.hpp"
#include "core/duration.hpp"
#include "core/infra_error.hpp"
#include "http/handler.hpp"
#include "http/health.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace seckill::app {

namespace asio = boost::asio;

namespace {

std::string random_secret() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  std::string hex;
  for (unsigned char b : bytes)
    hex += fmt::format("{:02x}", b);
  return hex;
}

}  // namespace

int run_serve(const ServeConfig& config) {
  setup_logging(config.log_level, config.log_format);
  if (config.redis_urls.empty() != config.postgres_url.empty()) {
    fmt::print(stderr,
               "seckill serve: give both --redis and --postgres (the distributed mode), or "
               "neither (the embedded mode)\n");
    return 2;
  }
  std::string secret = config.jwt_secret;
  if (secret.empty()) {
    secret = random_secret();
    fmt::print(stderr,
               "WARNING: no --jwt-secret (SECKILL_JWT_SECRET) given; this run uses the random "
               "secret\n  {}\nTokens made with another secret are refused; set one for real "
               "use.\n",
               secret);
  }

  IoThreads threads(config.threads);
  auth::ClaimRules claim_rules;
  claim_rules.max_ttl = config.token_max_ttl;
  auth::TokenVerifier verifier(secret, claim_rules);
  http::Router router(&verifier);

  std::unique_ptr<Backend> backend;
  const http::Server* server_view = nullptr;  // set once the server exists, before it runs
  std::unique_ptr<metrics::RequestMetrics> request_metrics;
  // --metrics-listen: /metrics (and /healthz) on a listener of their own.
  std::optional<http::Router> metrics_router;
  if (config.metrics_listen) metrics_router.emplace(nullptr);
  try {
    if (!config.redis_urls.empty()) {
      backend = std::make_unique<DistributedBackend>(config, threads);
    } else {
      backend = std::make_unique<EmbeddedBackend>(config, threads);
    }
    http::add_health_routes(router, backend->readiness_probes(), backend->readiness_reports());
    backend->add_routes(router);
    add_operations_routes(
        router, *backend, verifier,
        [&server_view] { return server_view != nullptr ? server_view->connection_count() : 0; },
        metrics_router ? &*metrics_router : nullptr);
    if (auto* revocations = backend->revocations()) {
      verifier.set_revocations(&revocations->local());
      api::add_revocation_routes(router, *revocations, config.token_max_ttl);
    }
    request_metrics = instrument(router);
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "seckill serve: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "seckill serve: cannot start: {}\n", e.what());
    return 1;
  }

  std::optional<api::RateLimitAdmission> rate_limits;
  if (config.rate_limit_user || config.rate_limit_ip) {
    rate_limits.emplace(backend->rate_limiter(),
                        api::RateLimits{config.rate_limit_user, config.rate_limit_ip});
    router.set_admission(&*rate_limits);
    spdlog::info("rate limits: per user {}, per address {}",
                 config.rate_limit_user ? format_rate_limit(*config.rate_limit_user) : "off",
                 config.rate_limit_ip ? format_rate_limit(*config.rate_limit_ip) : "off");
  }

  boost::system::error_code ec;
  auto address = asio::ip::make_address(config.listen_host, ec);
  if (ec) {
    fmt::print(stderr, "seckill serve: --listen: '{}' is not an IP address\n", config.listen_host);
    return 2;
  }
  http::ServerLimits limits;
  limits.max_connections_per_address = config.max_connections_per_address;
  const OpenFilesLimit open_files = raise_open_files_limit();
  if (open_files.error) {
    spdlog::warn("open files: soft {} (hard {}), could not raise it: {}", open_files.soft,
                 open_files.hard, std::strerror(*open_files.error));
  } else {
    spdlog::info("open files: soft {} -> {} (hard {})", open_files.soft_before, open_files.soft,
                 open_files.hard);
  }
  if (limits.max_connections + kOpenFilesReserve > open_files.soft) {
    spdlog::warn(
        "open files: a limit of {} allows about {} connections, below max_connections {}: "
        "accept fails with 'too many open files' beyond; raise the hard limit (LimitNOFILE=, "
        "ulimit -Hn)",
        open_files.soft,
        open_files.soft > kOpenFilesReserve ? open_files.soft - kOpenFilesReserve : 0,
        limits.max_connections);
  }
  std::optional<http::Server> server;
  try {
    server.emplace(threads.contexts(), asio::ip::tcp::endpoint(address, config.listen_port), router,
                   limits);
  } catch (const std::exception& e) {
    fmt::print(stderr, "seckill serve: --listen {}:{}: {}\n", config.listen_host,
               config.listen_port, e.what());
    return 1;
  }
  if (!config.trusted_proxies.empty()) {
    // Checked by the command line already.
    if (auto proxies = http::TrustedProxies::parse(config.trusted_proxies)) {
      server->trust_proxies(std::move(*proxies));
      spdlog::info("trusted proxies: {} (their X-Forwarded-For names the client)",
                   config.trusted_proxies);
    }
  }
  server_view = &*server;
  std::optional<http::Server> metrics_server;
  if (config.metrics_listen) {
    const auto& [host, port] = *config.metrics_listen;
    auto metrics_address = asio::ip::make_address(host, ec);
    if (ec) {
      fmt::print(stderr, "seckill serve: --metrics-listen: '{}' is not an IP address\n", host);
      return 2;
    }
    try {
      metrics_server.emplace(threads.contexts(), asio::ip::tcp::endpoint(metrics_address, port),
                             *metrics_router);
    } catch (const std::exception& e) {
      fmt::print(stderr, "seckill serve: --metrics-listen {}:{}: {}\n", host, port, e.what());
      return 1;
    }
    spdlog::info("metrics on http://{}:{}/metrics (not on --listen)",
                 metrics_server->local_endpoint().address().to_string(),
                 metrics_server->local_endpoint().port());
  }
  backend->start([&server, &metrics_server] {
    server->start();
    if (metrics_server) metrics_server->start();
  });

  asio::signal_set signals(threads.first(), SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    spdlog::info("signal {}: finishing requests in flight, then stopping", signal);
    if (metrics_server) metrics_server->stop();
    server->stop([&] { backend->stop([&] { threads.stop(); }); });
  });

  auto bound = server->local_endpoint();
  spdlog::info("seckill listening on http://{}:{} ({} I/O threads, {} mode)",
               bound.address().to_string(), bound.port(), config.threads,
               config.redis_urls.empty() ? "embedded" : "distributed");
  threads.run();
  spdlog::info("seckill stopped");
  return 0;
}

}  // namespace seckill::app
