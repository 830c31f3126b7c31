#pragma once
// The connect step shared by Connection and Subscriber.

#include <chrono>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "redis/redis_url.hpp"

namespace seckill::redis::detail {

/// Connects `socket` (closed first if open) to `endpoint` within `timeout`, sets TCP_NODELAY and
/// SO_KEEPALIVE, authenticates (AUTH, when the endpoint has credentials) and selects the
/// endpoint's DB if it is not 0, both in one round trip. Throws TimeoutError when the time runs
/// out, IoError when the connection cannot be made, AuthError when AUTH is refused or the server
/// asks for credentials (NOAUTH), ReplyError when SELECT is refused otherwise.
/// `socket` and `endpoint` must outlive the returned awaitable.
boost::asio::awaitable<void> open_socket(boost::asio::ip::tcp::socket& socket,
                                         const RedisUrl& endpoint,
                                         std::chrono::milliseconds timeout);

}  // namespace seckill::redis::detail
