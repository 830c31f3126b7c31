#include "app/offline_redis.hpp"

#include <chrono>
#include <exception>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <fmt/format.h>

#include "redis/auth_error.hpp"
#include "store/postgres/pg_error.hpp"

namespace seckill::app {

std::expected<redis::ClientOptions, std::string> offline_redis_options(
    const std::vector<std::string>& urls, const std::string& sentinel_password,
    const redis::TlsFiles& tls) {
  auto url = redis::parse_redis_url(urls.front());
  if (!url) return std::unexpected("--redis: " + url.error());
  if (url->sentinel()) url->sentinel_password = sentinel_password;
  redis::ClientOptions options;
  options.connection.endpoint = *url;
  options.connection.request_timeout = std::chrono::seconds(10);
  try {
    options.connection.tls_context = redis::tls_context_for(url->tls, tls);
  } catch (const std::invalid_argument& e) {
    return std::unexpected(std::string(e.what()));
  }
  if (urls.size() > 1) {  // a Redis Cluster seed list
    for (const auto& text : urls) {
      if (auto seed = redis::parse_redis_url(text)) options.cluster_seeds.push_back(*seed);
    }
  }
  return options;
}

int run_to_exit_code(boost::asio::io_context& io, redis::Client& client,
                     boost::asio::awaitable<int> work, std::string_view verb) {
  int code = 1;
  boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr error, int result) {
    client.close();
    if (!error) {
      code = result;
      return;
    }
    try {
      std::rethrow_exception(error);
    } catch (const store::postgres::PgRefusedError& e) {
      // Refused credentials or certificate: configuration, exit 2 (as `serve` and `migrate`).
      fmt::print(stderr, "seckill {}: --postgres: {}\n", verb, e.what());
      code = 2;
    } catch (const redis::AuthError& e) {
      fmt::print(stderr, "seckill {}: --redis: {}\n", verb, e.what());
      code = 2;
    } catch (const std::exception& e) {
      fmt::print(stderr, "seckill {}: {}\n", verb, e.what());
    }
  });
  io.run();
  return code;
}

}  // namespace seckill::app
