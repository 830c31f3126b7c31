#pragma once
// Redis Sentinel discovery: where the master of a `redis-sentinel://` URL is now.

#include <chrono>
#include <functional>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "redis/connection_options.hpp"
#include "redis/redis_url.hpp"
#include "redis/subscriber.hpp"

namespace seckill::redis {

/// Asks the sentinels of `url` (a `redis-sentinel://` URL: `url.sentinel()` is true), one after
/// the other in the URL's order, `SENTINEL get-master-addr-by-name MASTER`, and returns `url`
/// with `host` and `port` set to the first address one names, and that sentinel moved to the
/// front of `sentinels` (the one to watch for `+switch-master`); every other field is kept (the
/// credentials, DB and TLS are the master's).
///
/// Each sentinel gets `timeout` to accept the connection (and AUTH, with `url.sentinel_password`
/// when it is set) and `timeout` to answer. One that cannot be reached, refuses us, or does not
/// know MASTER is skipped for the next.
///
/// The server named is not checked here: a sentinel may name a demoted master for a moment after
/// a failover, so every connection asks the server itself (ROLE, in detail::open_socket) and
/// comes back here when it is not the master.
///
/// Throws IoError when no sentinel names a master, its message giving each sentinel's reason
/// (e.g. "sentinel 127.0.0.1:26379 knows no master named 'x'"), never a password. Runs on the
/// caller's executor, which must be single-threaded (see Connection).
boost::asio::awaitable<RedisUrl> resolve_master(RedisUrl url, std::chrono::milliseconds timeout);

/// Watches the sentinel that named `master` (the front of `master.sentinels`, as resolve_master
/// leaves it) for `+switch-master` of `master.sentinel_master`, and calls `on_switch` with the
/// message ("NAME OLD-IP OLD-PORT NEW-IP NEW-PORT") when the sentinels move the master. After a
/// failover the old master takes writes until the sentinels demote it, seconds later: a
/// connection that ends its session on this message stops writing there within a round trip.
/// Delivery is at most once (a pub/sub, see Subscriber): the ROLE check of every new session and
/// the demoted master's closing of its clients remain the safety net. The returned Subscriber is
/// started (timeouts and reconnection from `options`, whose endpoint is replaced); closing or
/// destroying it stops the watch. `on_switch` runs on `executor`.
Subscriber watch_master_switches(boost::asio::any_io_executor executor, const RedisUrl& master,
                                 ConnectionOptions options,
                                 std::function<void(std::string_view message)> on_switch);

}  // namespace seckill::redis
