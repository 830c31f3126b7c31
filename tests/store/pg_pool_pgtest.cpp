#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "pg_test_schema.hpp"
#include "store/postgres/pg_pool.hpp"

namespace asio = boost::asio;
using namespace std::chrono;
using namespace seckill::store::postgres;
using seckill::testing::PgTestSchema;

namespace {

struct CallLog {
  std::mutex mutex;
  std::set<std::thread::id> query_threads;
  std::atomic<int> done{0};
  std::atomic<int> wrong_thread_resumes{0};
};

/// One client: a few queries through the pool, checking where each side ran.
asio::awaitable<void> client(PgPool& pool, CallLog& log, int n, std::thread::id io_thread) {
  for (int i = 0; i < 5; ++i) {
    auto [value, thread] = co_await pool.run([n, i](PgConnection& c) {
      auto v = c.exec("select $1::int * 10 + $2::int", {n, i}).int64(0, 0);
      return std::pair{v, std::this_thread::get_id()};
    });
    EXPECT_EQ(value, n * 10 + i);
    {
      std::lock_guard lock(log.mutex);
      log.query_threads.insert(thread);
    }
    if (std::this_thread::get_id() != io_thread) ++log.wrong_thread_resumes;
  }
  ++log.done;
}

asio::awaitable<void> expect_io_error(PgPool& pool, std::atomic<int>& io_errors,
                                      std::atomic<bool>& ran) {
  try {
    co_await pool.run([&ran](PgConnection&) {
      ran = true;
      return 0;
    });
  } catch (const seckill::IoError&) {
    ++io_errors;
  }
}

asio::awaitable<void> throw_through(PgPool& pool, std::atomic<int>& caught) {
  try {
    co_await pool.run([](PgConnection& c) { c.exec("select 1/0"); });
  } catch (const PgError& e) {
    if (e.sqlstate() == "22012") ++caught;
  }
}

asio::awaitable<void> echo_strings(PgPool& pool, std::vector<std::string>& out) {
  for (int i = 0; i < 20; ++i) {
    std::string text(100, static_cast<char>('a' + i));  // heap-allocated, owned by the closure
    auto job = [text = std::move(text)](PgConnection& c) {
      return std::string(c.exec("select $1::text", {text}).text(0, 0));
    };
    out.push_back(co_await pool.run(std::move(job)));
  }
}

asio::awaitable<void> sleep_or_fail(PgPool& pool, std::atomic<int>& completed,
                                    std::atomic<int>& io_errors) {
  try {
    co_await pool.run([](PgConnection& c) { c.exec("select pg_sleep(0.3)"); });
    ++completed;
  } catch (const seckill::IoError&) {
    ++io_errors;
  }
}

asio::awaitable<void> backend_pid(PgPool& pool, std::vector<std::int64_t>& out) {
  out.push_back(co_await pool.run(
      [](PgConnection& c) { return c.exec("select pg_backend_pid()").int64(0, 0); }));
}

}  // namespace

TEST(PgPool, ManyCoroutinesOnTwoContextsComplete) {
  PgTestSchema schema("pool_many", false);
  PgPoolOptions options;
  options.connect = schema.options();
  options.size = 3;
  PgPool pool(options);

  constexpr int kClientsPerContext = 50;
  asio::io_context a, b;
  CallLog log_a, log_b;
  std::thread::id id_a, id_b;
  std::thread ta([&] {
    id_a = std::this_thread::get_id();
    for (int n = 0; n < kClientsPerContext; ++n) {
      asio::co_spawn(a, client(pool, log_a, n, id_a), asio::detached);
    }
    a.run();
  });
  std::thread tb([&] {
    id_b = std::this_thread::get_id();
    for (int n = 0; n < kClientsPerContext; ++n) {
      asio::co_spawn(b, client(pool, log_b, n, id_b), asio::detached);
    }
    b.run();
  });
  ta.join();
  tb.join();

  EXPECT_EQ(log_a.done, kClientsPerContext);
  EXPECT_EQ(log_b.done, kClientsPerContext);
  EXPECT_EQ(log_a.wrong_thread_resumes, 0);
  EXPECT_EQ(log_b.wrong_thread_resumes, 0);
  // libpq ran on pool threads only, never on an I/O thread.
  for (auto* log : {&log_a, &log_b}) {
    EXPECT_FALSE(log->query_threads.contains(id_a));
    EXPECT_FALSE(log->query_threads.contains(id_b));
    EXPECT_LE(log->query_threads.size(), 3u);
  }
}

TEST(PgPool, ExceptionsReachTheCaller) {
  PgTestSchema schema("pool_throw", false);
  PgPoolOptions options;
  options.connect = schema.options();
  options.size = 1;
  PgPool pool(options);
  asio::io_context io;
  std::atomic<int> caught{0};
  asio::co_spawn(io, throw_through(pool, caught), asio::detached);
  io.run();
  EXPECT_EQ(caught, 1);
}

TEST(PgPool, ClosuresOwningMemoryArriveIntact) {
  PgTestSchema schema("pool_closures", false);
  PgPoolOptions options;
  options.connect = schema.options();
  options.size = 2;
  PgPool pool(options);
  asio::io_context io;
  std::vector<std::string> out;
  asio::co_spawn(io, echo_strings(pool, out), asio::detached);
  io.run();
  ASSERT_EQ(out.size(), 20u);
  EXPECT_EQ(out[19], std::string(100, 't'));
}

TEST(PgPool, ServerDownFailsPromptlyWithIoError) {
  PgPoolOptions options;
  options.connect.conninfo =
      "postgresql://seckill@127.0.0.1:" + std::to_string(seckill::testing::free_port()) +
      "/seckill";
  options.size = 2;
  PgPool pool(options);
  asio::io_context io;
  std::atomic<int> io_errors{0};
  std::atomic<bool> ran{false};
  constexpr int kCalls = 20;
  for (int i = 0; i < kCalls; ++i)
    asio::co_spawn(io, expect_io_error(pool, io_errors, ran), asio::detached);
  auto start = steady_clock::now();
  io.run();
  EXPECT_LT(steady_clock::now() - start, seconds(5));
  EXPECT_EQ(io_errors, kCalls);
  EXPECT_FALSE(ran);
}

TEST(PgPool, ReconnectsAfterTheServerDropsTheSession) {
  PgTestSchema schema("pool_reconnect", false);
  PgPoolOptions options;
  options.connect = schema.options();
  options.size = 1;
  options.connect.application_name = "seckill_pool_reconnect";
  PgPool pool(options);
  asio::io_context io;
  std::vector<std::int64_t> pids;
  asio::co_spawn(io, backend_pid(pool, pids), asio::detached);
  io.run();
  ASSERT_EQ(pids.size(), 1u);

  auto killer = schema.connect();
  killer.exec("select pg_terminate_backend($1::int)", {pids[0]});
  std::this_thread::sleep_for(200ms);  // let the termination reach the client socket

  io.restart();
  asio::co_spawn(io, backend_pid(pool, pids), asio::detached);
  io.run();
  ASSERT_EQ(pids.size(), 2u);
  EXPECT_NE(pids[0], pids[1]);
}

TEST(PgPool, StopFailsQueuedCallsAndFinishesRunningOnes) {
  PgTestSchema schema("pool_stop", false);
  PgPoolOptions options;
  options.connect = schema.options();
  options.size = 1;
  PgPool pool(options);
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  std::atomic<int> completed{0}, io_errors{0};
  for (int i = 0; i < 5; ++i) {
    asio::co_spawn(io, sleep_or_fail(pool, completed, io_errors), asio::detached);
  }
  std::this_thread::sleep_for(100ms);  // the first call is running, four are queued
  pool.stop();
  work.reset();
  runner.join();
  EXPECT_EQ(completed, 1);
  EXPECT_EQ(io_errors, 4);
}
