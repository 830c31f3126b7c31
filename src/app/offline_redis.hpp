#pragma once
// What the offline verbs (`check`, `dead-letters`) share: a Redis client made from the --redis
// flag, and a coroutine run on it to an exit code.

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "redis/client.hpp"
#include "redis/tls_context.hpp"

namespace seckill::app {

/// Client options for `--redis` URLs (one server, a Redis Cluster seed list, or one
/// `redis-sentinel://` URL, whose sentinels get `sentinel_password`), with a request timeout fit
/// for audits (10 s). A message naming `--redis` when the first URL is invalid.
/// `tls`: --redis-tls-ca/cert/key (a rediss:// URL or any of them: TLS).
std::expected<redis::ClientOptions, std::string> offline_redis_options(
    const std::vector<std::string>& urls, const std::string& sentinel_password,
    const redis::TlsFiles& tls = {});

/// Runs `work` on `io` until it ends and returns its result; the client is closed then (it
/// reconnects forever otherwise, and io.run() would not return). An exception is printed as
/// "seckill VERB: what" and gives exit code 1; refused credentials (Redis AUTH, PostgreSQL
/// password or certificate) give 2, naming the flag.
int run_to_exit_code(boost::asio::io_context& io, redis::Client& client,
                     boost::asio::awaitable<int> work, std::string_view verb);

}  // namespace seckill::app
