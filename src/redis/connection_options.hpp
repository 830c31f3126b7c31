#pragma once
// How one Redis connection behaves: where it goes, how long it waits, how it reconnects.

#include <chrono>
#include <cstddef>
#include <memory>

#include "redis/redis_url.hpp"

namespace boost::asio::ssl {
class context;
}

namespace seckill::redis {

struct ConnectionOptions {
  RedisUrl endpoint{"127.0.0.1", 6379, 0};

  /// For a `rediss://` endpoint: the TLS settings (make_tls_context, tls_context.hpp), shared by
  /// every connection. Null: a context trusting the system's CAs, made per connection.
  std::shared_ptr<boost::asio::ssl::context> tls_context;

  /// TCP connect, TLS handshake, AUTH and SELECT, per attempt.
  std::chrono::milliseconds connect_timeout{1000};

  /// How long a request may wait for its reply (0: forever). When the oldest request of a
  /// connection passes it, the connection is considered stuck: every request in flight on it
  /// fails with TimeoutError and it reconnects.
  std::chrono::milliseconds request_timeout{1000};

  /// Reconnection backoff: the first retry waits `reconnect_min`, each failed attempt doubles
  /// the wait, up to `reconnect_max`.
  std::chrono::milliseconds reconnect_min{20};
  std::chrono::milliseconds reconnect_max{2000};

  /// Requests in flight on one connection beyond which new ones fail at once with IoError
  /// (back-pressure instead of unbounded memory when Redis is slower than the callers).
  std::size_t max_pending = 100'000;
};

}  // namespace seckill::redis
