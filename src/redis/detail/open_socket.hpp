#pragma once
// The connect step shared by Connection and Subscriber.

#include <chrono>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "redis/redis_url.hpp"

namespace seckill::redis::detail {

/// Connects `socket` (closed first if open) to `endpoint` within `timeout`, sets TCP_NODELAY and
/// SO_KEEPALIVE, and selects the endpoint's DB if it is not 0. Throws TimeoutError when the time
/// runs out, IoError when the connection cannot be made, ReplyError when SELECT is refused.
/// `socket` and `endpoint` must outlive the returned awaitable.
boost::asio::awaitable<void> open_socket(boost::asio::ip::tcp::socket& socket,
                                         const RedisUrl& endpoint,
                                         std::chrono::milliseconds timeout);

}  // namespace seckill::redis::detail
