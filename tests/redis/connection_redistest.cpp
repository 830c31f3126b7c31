#include <algorithm>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <gtest/gtest.h>

#include "core/infra_error.hpp"
#include "redis/client.hpp"
#include "redis/connection.hpp"
#include "redis/redis_test_support.hpp"
#include "redis/script.hpp"
#include "redis_connection_redistest_embedded.hpp"
#include "support/test_env.hpp"

namespace seckill::redis {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using testing::run;
using testing::test_options;
using Clock = std::chrono::steady_clock;

// --- 10,000 concurrent requests on one connection ---

awaitable<void> incr_shared_and_own(Connection* connection, std::string prefix, int index,
                                    std::vector<std::int64_t>* shared_replies, int* own_ok) {
  const std::string shared = prefix + "shared";
  Reply r = co_await connection->command({"INCR", shared});
  (*shared_replies)[static_cast<std::size_t>(index)] = r.as_integer();
  const std::string own = prefix + "own:" + std::to_string(index);
  for (std::int64_t expected = 1; expected <= 3; ++expected) {
    Reply mine = co_await connection->command({"INCR", own});
    if (mine.as_integer() != expected) co_return;
  }
  ++*own_ok;
}

awaitable<void> ten_thousand_concurrent(std::string prefix) {
  constexpr int kCoroutines = 10'000;
  Connection connection(co_await asio::this_coro::executor, test_options());
  co_await connection.connect();
  std::vector<std::int64_t> shared_replies(kCoroutines, 0);
  int own_ok = 0;
  for (int i = 0; i < kCoroutines; ++i) {
    asio::co_spawn(connection.get_executor(),
                   incr_shared_and_own(&connection, prefix, i, &shared_replies, &own_ok),
                   asio::detached);
  }
  const auto deadline = Clock::now() + 20s;
  while (own_ok < kCoroutines && Clock::now() < deadline)
    co_await testing::sleep_for(5ms);
  EXPECT_EQ(own_ok, kCoroutines);
  std::sort(shared_replies.begin(), shared_replies.end());
  int mismatches = 0;
  for (int i = 0; i < kCoroutines; ++i) {
    if (shared_replies[static_cast<std::size_t>(i)] != i + 1) ++mismatches;
  }
  EXPECT_EQ(mismatches, 0) << "the set of INCR replies is not exactly 1..10000";
  connection.close();
}

TEST(Connection, TenThousandConcurrentRequestsGetTheirOwnReplies) {
  asio::io_context io;
  run(io, ten_thousand_concurrent(testing::unique_prefix("conc")));
}

// --- values: error replies, binary safety, DB selection ---

awaitable<void> replies_are_values(std::string prefix) {
  Connection connection(co_await asio::this_coro::executor, test_options());
  co_await connection.connect();
  const std::string key = prefix + "bin";
  const std::string value(
      "a\0\r\n\xff"
      "b",
      6);
  EXPECT_EQ((co_await connection.command({"SET", key, value})).as_string(), "OK");
  EXPECT_EQ((co_await connection.command({"GET", key})).as_string(), value);
  EXPECT_TRUE((co_await connection.command({"GET", prefix + "missing"})).is_nil());
  Reply wrong = co_await connection.command({"INCR", key});
  EXPECT_TRUE(wrong.is_error());
  EXPECT_THROW(wrong.as_integer(), ReplyError);
  // The connection goes on after an error reply.
  EXPECT_EQ((co_await connection.command({"PING"})).as_string(), "PONG");
  connection.close();
  EXPECT_THROW(co_await connection.command({"PING"}), IoError);
}

TEST(Connection, ErrorRepliesAreValuesAndCommandsAreBinarySafe) {
  asio::io_context io;
  run(io, replies_are_values(testing::unique_prefix("values")));
}

awaitable<void> selects_db(std::string prefix) {
  ConnectionOptions db3 = test_options();
  db3.endpoint.db = 3;
  Connection in_db3(co_await asio::this_coro::executor, db3);
  Connection in_db0(co_await asio::this_coro::executor, test_options());
  co_await in_db3.connect();
  co_await in_db0.connect();
  const std::string key = prefix + "db";
  co_await in_db3.command({"SET", key, "3"});
  EXPECT_TRUE((co_await in_db0.command({"GET", key})).is_nil());
  EXPECT_EQ((co_await in_db3.command({"GET", key})).as_string(), "3");
  co_await in_db3.command({"DEL", key});
  ConnectionOptions bad = test_options();
  bad.endpoint.db = 100000;
  Connection refused(co_await asio::this_coro::executor, bad);
  EXPECT_THROW(co_await refused.connect(), ReplyError);
}

TEST(Connection, SelectsTheDbOfTheUrl) {
  asio::io_context io;
  run(io, selects_db(testing::unique_prefix("db")));
}

// --- back-pressure and closing ---

struct Tally {
  int ok = 0;
  int io_error = 0;
  int finished = 0;
};

awaitable<void> ping_and_tally(Connection* connection, Tally* tally) {
  try {
    co_await connection->command({"PING"});
    ++tally->ok;
  } catch (const IoError&) {
    ++tally->io_error;
  }
  ++tally->finished;
}

awaitable<void> caps_and_closes() {
  auto executor = co_await asio::this_coro::executor;
  ConnectionOptions capped = test_options();
  capped.max_pending = 10;
  Connection connection(executor, capped);
  co_await connection.connect();
  Tally tally;
  for (int i = 0; i < 25; ++i) {
    asio::co_spawn(executor, ping_and_tally(&connection, &tally), asio::detached);
  }
  while (tally.finished < 25)
    co_await testing::sleep_for(5ms);
  EXPECT_EQ(tally.ok, 10);
  EXPECT_EQ(tally.io_error, 15);

  // Closing with requests in flight fails them with IoError; none is left hanging.
  Tally closed;
  for (int i = 0; i < 5; ++i) {
    asio::co_spawn(executor, ping_and_tally(&connection, &closed), asio::detached);
  }
  // One turn of the executor: the five run and queue their requests; the writer, woken after
  // this continuation was posted, has not sent them yet.
  co_await asio::post(executor, asio::use_awaitable);
  connection.close();
  while (closed.finished < 5)
    co_await testing::sleep_for(5ms);
  EXPECT_EQ(closed.io_error, 5);
}

TEST(Connection, CapsRequestsInFlightAndFailsThemOnClose) {
  asio::io_context io;
  run(io, caps_and_closes());
}

// --- scripts ---

awaitable<void> eval_reloads_after_flush(asio::io_context* io, std::string prefix) {
  Client client(*io, ClientOptions{test_options(), 1, {}, {}});
  co_await client.connect();
  const Script script("add_twice", std::string(test_scripts::add_twice));
  const std::string key = prefix + "counter";
  co_await client.command({"SCRIPT", "FLUSH"});
  EXPECT_EQ((co_await client.command({"SCRIPT", "EXISTS", script.sha1()})).elements()[0],
            Reply::integer(0));
  EXPECT_EQ((co_await client.eval(script, {key}, {"5"})).as_integer(), 10);
  EXPECT_EQ((co_await client.command({"SCRIPT", "EXISTS", script.sha1()})).elements()[0],
            Reply::integer(1));
  EXPECT_EQ((co_await client.eval(script, {key}, {"1"})).as_integer(), 12);
  // A script that fails at run time is an error reply, not a reload loop.
  const Script broken("broken", "return redis.call('INCR', KEYS[1], 'extra')");
  EXPECT_TRUE((co_await client.eval(broken, {key}, {})).is_error());
  client.close();
}

TEST(Script, EvalLoadsTheScriptAfterScriptFlush) {
  asio::io_context io;
  run(io, eval_reloads_after_flush(&io, testing::unique_prefix("script")));
}

// --- failures: dead port, silent server ---

awaitable<void> dead_port_fails_fast(unsigned short port) {
  ConnectionOptions options = testing::local_options(port);
  options.connect_timeout = 60s;
  Connection connection(co_await asio::this_coro::executor, options);
  auto start = Clock::now();
  // Refused at once: an IoError (not a TimeoutError), far sooner than the 60 s timeout.
  EXPECT_THROW(co_await connection.connect(), IoError);
  EXPECT_THROW(co_await connection.command({"PING"}), IoError);
  EXPECT_LT(Clock::now() - start, 20s);
  EXPECT_FALSE(connection.connected());
  connection.close();
}

TEST(Connection, DeadPortFailsFastWithIoError) {
  asio::io_context io;
  run(io, dead_port_fails_fast(seckill::testing::free_port()));
}

awaitable<void> silent_server_times_out() {
  auto executor = co_await asio::this_coro::executor;
  // Listens but never accepts: the kernel completes the handshake, nobody ever answers.
  asio::ip::tcp::acceptor silent(executor, {asio::ip::make_address("127.0.0.1"), 0});
  ConnectionOptions options = testing::local_options(silent.local_endpoint().port());
  options.request_timeout = 300ms;
  Connection connection(executor, options);
  co_await connection.connect();
  auto start = Clock::now();
  EXPECT_THROW(co_await connection.command({"PING"}), TimeoutError);
  auto waited = Clock::now() - start;
  // Never before the timeout; the upper bound only says it ended (a machine under a sanitizer
  // may be slow to run the timer, never stuck).
  EXPECT_GE(waited, 290ms);
  EXPECT_LT(waited, 20s);
  connection.close();

  // A connect that gets no answer at all (backlog full is hard to arrange; an unroutable
  // address is not loopback) is covered by the SELECT step: the silent server never answers it.
  ConnectionOptions with_db = options;
  with_db.endpoint.db = 1;
  with_db.connect_timeout = 300ms;
  Connection selecting(executor, with_db);
  start = Clock::now();
  EXPECT_THROW(co_await selecting.connect(), TimeoutError);
  EXPECT_GE(Clock::now() - start, 290ms);
  EXPECT_LT(Clock::now() - start, 20s);
  selecting.close();
}

TEST(Connection, SilentServerTimesOutWithinTheRequestTimeout) {
  asio::io_context io;
  run(io, silent_server_times_out());
}

// --- blocking commands on a dedicated connection ---

awaitable<void> blpop(Connection* connection, std::string key, Reply* out, bool* done) {
  *out = co_await connection->command({"BLPOP", key, "60"}, 90s);
  *done = true;
}

awaitable<void> dedicated_blocking(asio::io_context* io, std::string prefix) {
  Client client(*io, ClientOptions{test_options(), 1, {}, {}});
  co_await client.connect();
  Connection blocking = co_await client.dedicated();
  const std::string list = prefix + "list";
  Reply popped;
  bool done = false;
  asio::co_spawn(*io, blpop(&blocking, list, &popped, &done), asio::detached);
  co_await testing::sleep_for(50ms);  // BLPOP is now blocking in Redis

  for (int i = 0; i < 100; ++i)
    co_await client.command({"INCR", prefix + "n"});
  // Had the shared connection waited for BLPOP, the INCRs would have ended after it (60 s).
  EXPECT_FALSE(done) << "the shared connection waited for BLPOP";

  co_await client.command({"LPUSH", list, "v"});
  for (int i = 0; i < 100 && !done; ++i)
    co_await testing::sleep_for(10ms);
  EXPECT_TRUE(done);
  EXPECT_EQ(popped, Reply::array({Reply::string(list), Reply::string("v")}));
  blocking.close();
  client.close();
}

TEST(Client, DedicatedConnectionForBlockingCommands) {
  asio::io_context io;
  run(io, dedicated_blocking(&io, testing::unique_prefix("blpop")));
}

// --- Client from several threads ---

awaitable<void> incr_many(Client* client, std::string key, int times, std::atomic<int>* done) {
  for (int i = 0; i < times; ++i)
    (void)(co_await client->command({"INCR", key})).as_integer();
  done->fetch_add(1);
}

TEST(Client, CallableFromItsOwnIoContextsAndFromElsewhere) {
  constexpr int kPerContext = 200;
  constexpr int kTimes = 50;
  asio::io_context a(1);
  asio::io_context b(1);
  asio::io_context foreign(1);  // not given to the client: its calls hop
  std::array<asio::io_context*, 2> contexts{&a, &b};
  auto options = test_options();
  Client client(contexts, ClientOptions{options, 2, {}, {}});
  const std::string key = testing::unique_prefix("threads") + "n";

  auto guard_a = asio::make_work_guard(a);
  auto guard_b = asio::make_work_guard(b);
  std::thread ta([&] { a.run(); });
  std::thread tb([&] { b.run(); });

  std::exception_ptr error;
  bool connected = false;
  asio::co_spawn(foreign, client.connect(), [&](std::exception_ptr e) {
    error = e;
    connected = true;
  });
  foreign.run_for(10s);
  foreign.restart();
  ASSERT_TRUE(connected);
  if (error) std::rethrow_exception(error);

  std::atomic<int> done{0};
  for (int i = 0; i < kPerContext; ++i) {
    asio::co_spawn(a, incr_many(&client, key, kTimes, &done), asio::detached);
    asio::co_spawn(b, incr_many(&client, key, kTimes, &done), asio::detached);
    asio::co_spawn(foreign, incr_many(&client, key, kTimes, &done), asio::detached);
  }
  auto deadline = Clock::now() + 20s;
  while (done.load() < 3 * kPerContext && Clock::now() < deadline)
    foreign.run_for(20ms);
  EXPECT_EQ(done.load(), 3 * kPerContext);

  std::int64_t total = -1;
  asio::co_spawn(foreign, client.command({"GET", key}), [&](std::exception_ptr e, Reply r) {
    if (!e) total = std::stoll(std::string(r.as_string()));
  });
  foreign.restart();
  foreign.run_for(5s);
  EXPECT_EQ(total, 3 * kPerContext * kTimes);

  client.close();
  guard_a.reset();
  guard_b.reset();
  ta.join();
  tb.join();
}

}  // namespace
}  // namespace seckill::redis
