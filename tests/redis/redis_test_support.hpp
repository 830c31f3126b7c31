#pragma once
// Helpers shared by the live Redis tests: run one test coroutine on an io_context with a time
// bound, and read the test server's URL.

#include <chrono>
#include <exception>
#include <random>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "redis/connection_options.hpp"
#include "redis/redis_url.hpp"
#include "support/test_env.hpp"

namespace seckill::redis::testing {

/// Runs `body` on `io` until it finishes (then stops `io`) or `limit` passes (a test failure).
/// Rethrows what `body` threw.
inline void run(boost::asio::io_context& io, boost::asio::awaitable<void> body,
                std::chrono::seconds limit = std::chrono::seconds(30)) {
  bool done = false;
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(body), [&](std::exception_ptr e) {
    error = e;
    done = true;
    io.stop();
  });
  io.run_for(limit);
  ASSERT_TRUE(done) << "test coroutine did not finish within " << limit.count() << " s";
  if (error) std::rethrow_exception(error);
}

/// Options pointing at the test Redis (SECKILL_TEST_REDIS_URL).
inline ConnectionOptions test_options() {
  ConnectionOptions options;
  options.endpoint = parse_redis_urls(seckill::testing::redis_url()).value().front();
  options.request_timeout = std::chrono::seconds(5);
  return options;
}

/// Options for a server on 127.0.0.1:port.
inline ConnectionOptions local_options(unsigned short port) {
  ConnectionOptions options;
  options.endpoint = RedisUrl{"127.0.0.1", port, 0};
  return options;
}

/// A key prefix unique to this run, so tests sharing one server do not see each other's keys.
inline std::string unique_prefix(std::string_view test) {
  std::random_device rd;
  return std::string("test:") + std::string(test) + ":" + std::to_string(rd()) + ":";
}

/// Sleeps `d` on the current coroutine's executor.
inline boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, d);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

}  // namespace seckill::redis::testing
