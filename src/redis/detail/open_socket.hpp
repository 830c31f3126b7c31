#pragma once
// The connect step shared by Connection and Subscriber.

#include <chrono>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "redis/detail/stream.hpp"
#include "redis/redis_url.hpp"

namespace seckill::redis::detail {

/// Connects `stream` (reset first) to `endpoint` within `timeout`, sets TCP_NODELAY and
/// SO_KEEPALIVE, for a `rediss://` endpoint handshakes TLS with `tls` (the server's certificate
/// chain and its name or IP verified; SNI sent for a name), authenticates (AUTH, when the endpoint
/// has credentials) and selects the endpoint's DB if it is not 0, and for an endpoint found through
/// sentinels (`endpoint.sentinel()`, its host and port resolved) asks ROLE, all in one round trip.
/// Throws IoError when such an endpoint is not a master (a failover under way). Throws
/// TimeoutError when the time runs out, IoError when the connection cannot be made (TLS refused
/// included), AuthError when AUTH is refused or the server asks for credentials (NOAUTH),
/// ReplyError when SELECT is refused otherwise. `stream`, `endpoint` and `tls` must outlive the
/// returned awaitable; `tls` may be null for a `redis://` endpoint only.
boost::asio::awaitable<void> open_socket(Stream& stream, const RedisUrl& endpoint,
                                         boost::asio::ssl::context* tls,
                                         std::chrono::milliseconds timeout);

}  // namespace seckill::redis::detail
