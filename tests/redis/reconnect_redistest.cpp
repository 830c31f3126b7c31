#include <filesystem>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <gtest/gtest.h>

#include "core/infra_error.hpp"
#include "redis/connection.hpp"
#include "redis/redis_test_support.hpp"
#include "redis/subscriber.hpp"
#include "support/child_process.hpp"
#include "support/test_env.hpp"

namespace seckill::redis {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using seckill::testing::ChildProcess;

// A redis-server of this test's own, which it may kill and restart on the same port.
ChildProcess start_redis(unsigned short port) {
  ChildProcess server(
      {"redis-server", "--port", std::to_string(port), "--bind", "127.0.0.1", "--save", "",
       "--appendonly", "no", "--dir", std::filesystem::temp_directory_path().string()},
      "/dev/null");
  seckill::testing::wait_for_port(port, 10s);
  return server;
}

struct Outcomes {
  int ok = 0;
  int io_error = 0;
  int other_error = 0;
  int running = 0;
  bool stop = false;
};

awaitable<void> hammer(Connection* connection, Outcomes* outcomes) {
  ++outcomes->running;
  while (!outcomes->stop) {
    bool failed = false;
    try {
      (void)(co_await connection->command({"INCR", "hammer"})).as_integer();
      ++outcomes->ok;
    } catch (const IoError&) {
      ++outcomes->io_error;
      failed = true;
    } catch (const std::exception&) {
      ++outcomes->other_error;
      failed = true;
    }
    if (failed) co_await testing::sleep_for(5ms);  // not connected: do not spin
  }
  --outcomes->running;
}

awaitable<void> restart_mid_run(unsigned short port) {
  ChildProcess server = start_redis(port);
  ConnectionOptions options = testing::local_options(port);
  options.request_timeout = 3s;
  options.reconnect_min = 20ms;
  options.reconnect_max = 200ms;
  Connection connection(co_await asio::this_coro::executor, options);
  co_await connection.connect();

  int received = 0;
  Subscriber subscriber(co_await asio::this_coro::executor, options,
                        [&received](std::string_view, std::string_view) { ++received; });
  subscriber.subscribe("news");
  co_await subscriber.connect();

  Outcomes outcomes;
  for (int i = 0; i < 200; ++i) {
    asio::co_spawn(connection.get_executor(), hammer(&connection, &outcomes), asio::detached);
  }
  while (outcomes.ok < 20'000)
    co_await testing::sleep_for(5ms);
  const int ok_before_kill = outcomes.ok;
  EXPECT_EQ(outcomes.io_error, 0);

  server.kill_hard();  // while 200 requests are in flight
  co_await testing::sleep_for(100ms);
  EXPECT_GT(outcomes.io_error, 0) << "in-flight requests must fail with IoError";
  EXPECT_EQ(outcomes.other_error, 0);
  EXPECT_FALSE(connection.connected());

  // While it is down, a request fails fast instead of queueing until the request timeout (3 s):
  // with an IoError (a timeout would be TimeoutError), well before it.
  auto start = Clock::now();
  EXPECT_THROW(co_await connection.command({"PING"}), IoError);
  EXPECT_LT(Clock::now() - start, 1500ms);

  server = start_redis(port);
  const int ok_at_restart = outcomes.ok;
  auto deadline = Clock::now() + 10s;
  while (outcomes.ok < ok_at_restart + 10'000 && Clock::now() < deadline) {
    co_await testing::sleep_for(10ms);
  }
  EXPECT_GE(outcomes.ok, ok_at_restart + 10'000) << "no recovery after restart";
  EXPECT_GT(ok_before_kill, 0);
  EXPECT_EQ(outcomes.other_error, 0);
  // Nothing that failed was retried behind our back: the fresh server counted exactly the
  // successes since the restart, give or take the requests in flight at this moment.
  outcomes.stop = true;
  while (outcomes.running > 0)
    co_await testing::sleep_for(5ms);
  Reply counter = co_await connection.command({"GET", "hammer"});
  const std::int64_t counted = counter.is_nil() ? 0 : std::stoll(std::string(counter.as_string()));
  EXPECT_EQ(counted, outcomes.ok - ok_at_restart);

  // The subscriber is back too, subscribed again to its channel.
  deadline = Clock::now() + 10s;
  while (Clock::now() < deadline) {
    if ((co_await connection.command({"PUBLISH", "news", "back"})).as_integer() == 1) break;
    co_await testing::sleep_for(20ms);
  }
  while (received == 0 && Clock::now() < deadline)
    co_await testing::sleep_for(10ms);
  EXPECT_GE(received, 1) << "subscriber did not resubscribe after reconnect";

  subscriber.close();
  connection.close();
}

TEST(Connection, RedisRestartFailsInFlightRequestsThenRecovers) {
  asio::io_context io;
  testing::run(io, restart_mid_run(seckill::testing::free_port()), 45s);
}

}  // namespace
}  // namespace seckill::redis
