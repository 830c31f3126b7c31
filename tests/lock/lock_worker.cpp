// A process that takes the test Redis lock, for the multi-process lock tests
// (lock_processes_test.cpp). Redis from SECKILL_TEST_REDIS_URL, PostgreSQL from
// SECKILL_TEST_POSTGRES_URL in the schema given by --schema.
//
//   lock_worker counter --schema S --resource R --cycles N [--ttl-ms T]
//       N times: lock R; read lock_counter.n; write n + 1 behind the fencing check; unlock.
//       Prints "done refused=K" (K writes refused by fencing).
//   lock_worker hold --schema S --resource R --value V [--ttl-ms T] [--pause-ms P]
//       lock R; print "acquired FENCE"; sleep P (the test may SIGSTOP it meanwhile); then write
//       lock_value.value = V behind the fencing check whatever the lease says, and print
//       "written" or "refused", then "lost" if the watchdog had found the lease lost.
// Exit 0 when it ran to the end, 1 on an error (printed to stderr).

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "coordinator/redis/redis_lock_service.hpp"
#include "lock/distributed_lock.hpp"
#include "redis/client.hpp"
#include "redis/redis_url.hpp"
#include "store/postgres/fencing.hpp"
#include "store/postgres/pg_pool.hpp"
#include "support/test_env.hpp"

namespace asio = boost::asio;
using namespace seckill;
using std::chrono::milliseconds;

namespace {

struct Args {
  std::string mode;
  std::map<std::string, std::string> values;
  std::string get(const std::string& k, std::string fallback = "") const {
    auto it = values.find(k);
    return it == values.end() ? fallback : it->second;
  }
  long long num(const std::string& k, long long fallback) const {
    auto v = get(k);
    return v.empty() ? fallback : std::stoll(v);
  }
};

struct StaleWrite {};

asio::awaitable<void> counter(lock::DistributedLock& locks, store::postgres::PgPool& pg,
                              Args args) {
  const auto resource = args.get("--resource");
  const auto cycles = args.num("--cycles", 500);
  lock::AcquireOptions options;
  options.ttl = milliseconds(args.num("--ttl-ms", 5000));
  options.wait = std::chrono::seconds(60);
  int refused = 0;
  for (long long i = 0; i < cycles; ++i) {
    auto lease = co_await locks.acquire(resource, options);
    if (!lease) throw std::runtime_error("not acquired within 60 s");
    const auto fence = (*lease)->fencing_token();
    // Read, then write in another transaction: without mutual exclusion two workers would read
    // the same n and one increment would be lost.
    auto read = [resource](store::postgres::PgConnection& c) {
      return c.exec("select n from lock_counter where resource = $1", {resource}).int64(0, 0);
    };
    auto n = co_await pg.run(std::move(read));
    auto write = [resource, fence, n](store::postgres::PgConnection& c) {
      return c.transaction([&](store::postgres::PgConnection& tx) {
        if (!store::postgres::advance_fencing_token(tx, resource, fence)) return false;
        tx.exec("update lock_counter set n = $2 where resource = $1", {resource, n + 1});
        return true;
      });
    };
    if (!co_await pg.run(std::move(write))) ++refused;
    co_await locks.release(**lease);
  }
  fmt::print("done refused={}\n", refused);
  std::fflush(stdout);
}

asio::awaitable<void> hold(lock::DistributedLock& locks, store::postgres::PgPool& pg, Args args) {
  const auto resource = args.get("--resource");
  const auto value = args.get("--value");
  lock::AcquireOptions options;
  options.ttl = milliseconds(args.num("--ttl-ms", 1000));
  options.wait = std::chrono::seconds(30);
  auto lease = co_await locks.acquire(resource, options);
  if (!lease) throw std::runtime_error("not acquired within 30 s");
  const auto fence = (*lease)->fencing_token();
  fmt::print("acquired {}\n", fence);
  std::fflush(stdout);
  // Wall-clock sleep on this coroutine: a SIGSTOP freezes the whole process, watchdog included.
  asio::steady_timer pause(co_await asio::this_coro::executor,
                           milliseconds(args.num("--pause-ms", 500)));
  co_await pause.async_wait(asio::use_awaitable);
  auto write = [resource, fence, value](store::postgres::PgConnection& c) {
    return c.transaction([&](store::postgres::PgConnection& tx) {
      if (!store::postgres::advance_fencing_token(tx, resource, fence)) return false;
      tx.exec("update lock_value set value = $2, fence = $3 where resource = $1",
              {resource, value, fence});
      return true;
    });
  };
  bool written = co_await pg.run(std::move(write));
  fmt::print("{}\n", written ? "written" : "refused");
  if ((*lease)->lost()) fmt::print("lost\n");
  std::fflush(stdout);
  co_await locks.release(**lease);
}

asio::awaitable<void> run_worker(redis::Client& client,
                                 coordinator::redis::RedisLockService& service,
                                 lock::DistributedLock& locks, store::postgres::PgPool& pg,
                                 Args args) {
  co_await client.connect();
  co_await service.connect();
  if (args.mode == "counter") {
    co_await counter(locks, pg, std::move(args));
  } else {
    co_await hold(locks, pg, std::move(args));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: lock_worker counter|hold --flag value ...\n");
    return 2;
  }
  Args args;
  args.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2)
    args.values[argv[i]] = argv[i + 1];
  try {
    asio::io_context io;
    redis::ClientOptions redis_options;
    redis_options.connection.endpoint = redis::parse_redis_url(testing::redis_url()).value();
    redis::Client client(io, redis_options);
    coordinator::redis::RedisLockService service(client, io.get_executor(),
                                                 redis_options.connection);
    lock::DistributedLock locks(service);
    store::postgres::PgPoolOptions pg_options;
    pg_options.connect.conninfo = testing::postgres_url();
    pg_options.connect.schema = args.get("--schema");
    pg_options.size = 1;
    store::postgres::PgPool pg(pg_options);
    int rc = 0;
    asio::co_spawn(io, run_worker(client, service, locks, pg, args), [&](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          std::fprintf(stderr, "lock_worker: %s\n", ex.what());
        }
        rc = 1;
      }
      service.close();
      client.close();
      io.stop();
    });
    io.run();
    pg.stop();
    return rc;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lock_worker: %s\n", e.what());
    return 1;
  }
}
