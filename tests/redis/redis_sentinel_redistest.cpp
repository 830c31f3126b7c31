#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/infra_error.hpp"
#include "redis/client.hpp"
#include "redis/connection.hpp"
#include "redis/private_redis.hpp"
#include "redis/redis_test_support.hpp"
#include "redis/sentinel_resolver.hpp"
#include "redis/subscriber.hpp"
#include "support/test_env.hpp"

// A master and a replica with a password, watched by three sentinels with a password of their
// own, all started by the test: a `redis-sentinel://` client finds the master, and after
// `SENTINEL FAILOVER` finds the new one and keeps working.

namespace seckill::redis {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kMaster = "seckill";
constexpr std::string_view kPassword = "data-s3cret";
constexpr std::string_view kSentinelPassword = "sentinel-s3cret";

class RedisSentinel : public ::testing::Test {
 protected:
  RedisSentinel()
      : dir_("redis-sentinel"),
        master_(dir_, "master", seckill::testing::free_port(), data_config()),
        replica_(dir_, "replica", seckill::testing::free_port(), replica_config(master_.port())) {
    for (int i = 0; i < 3; ++i) {
      const unsigned short port = seckill::testing::free_port();
      sentinels_.push_back(std::make_unique<testing::PrivateRedis>(
          dir_, fmt::format("sentinel{}", i), port, sentinel_config(master_.port()), true));
    }
  }

  static std::vector<std::string> data_config() {
    return {fmt::format("requirepass \"{}\"", kPassword),
            fmt::format("masterauth \"{}\"", kPassword)};
  }
  static std::vector<std::string> replica_config(unsigned short master_port) {
    auto config = data_config();
    config.push_back(fmt::format("replicaof 127.0.0.1 {}", master_port));
    return config;
  }
  static std::vector<std::string> sentinel_config(unsigned short master_port) {
    return {fmt::format("sentinel monitor {} 127.0.0.1 {} 2", kMaster, master_port),
            fmt::format("sentinel auth-pass {} {}", kMaster, kPassword),
            fmt::format("sentinel down-after-milliseconds {} 1000", kMaster),
            fmt::format("sentinel failover-timeout {} 10000", kMaster),
            fmt::format("requirepass \"{}\"", kSentinelPassword),
            fmt::format("sentinel sentinel-pass {}", kSentinelPassword)};
  }

  /// `redis-sentinel://:PASSWORD@s1,s2,s3#MASTER` (the first sentinel `first_down`: one that
  /// does not answer, to be skipped).
  RedisUrl url(std::string_view master = kMaster, bool first_down = false) const {
    std::string hosts;
    if (first_down) hosts = fmt::format("127.0.0.1:{},", seckill::testing::free_port());
    for (const auto& s : sentinels_) {
      hosts += fmt::format("127.0.0.1:{},", s->port());
    }
    hosts.pop_back();
    auto parsed =
        parse_redis_url(fmt::format("redis-sentinel://:{}@{}/2#{}", kPassword, hosts, master));
    EXPECT_TRUE(parsed.has_value()) << parsed.error();
    parsed->sentinel_password = kSentinelPassword;
    return *parsed;
  }
  ConnectionOptions options(RedisUrl endpoint) const {
    ConnectionOptions o;
    o.endpoint = std::move(endpoint);
    o.connect_timeout = 1s;
    o.request_timeout = 2s;
    o.reconnect_min = 20ms;
    o.reconnect_max = 200ms;
    return o;
  }
  ConnectionOptions sentinel_options(std::size_t i) const {
    ConnectionOptions o = options(RedisUrl{"127.0.0.1", sentinels_[i]->port(), 0});
    o.endpoint.password = kSentinelPassword;
    return o;
  }

  testing::TempDir dir_;
  testing::PrivateRedis master_;
  testing::PrivateRedis replica_;
  std::vector<std::unique_ptr<testing::PrivateRedis>> sentinels_;
};

// The port of the server `client` talks to.
awaitable<unsigned short> server_port(Client& client) {
  Reply reply = co_await client.command({"CONFIG", "GET", "port"});
  co_return static_cast<unsigned short>(std::stoi(std::string(reply.elements()[1].as_string())));
}

// Until every sentinel knows the replica and one another (a failover needs both).
awaitable<void> wait_until_sentinels_ready(std::vector<ConnectionOptions> sentinels) {
  auto executor = co_await asio::this_coro::executor;
  const auto deadline = Clock::now() + 20s;
  for (const auto& options : sentinels) {
    Connection sentinel(executor, options);
    co_await sentinel.connect();
    while (true) {
      Reply master = co_await sentinel.command({"SENTINEL", "master", kMaster});
      std::string replicas, others;
      for (std::size_t i = 0; i + 1 < master.elements().size(); i += 2) {
        auto name = master.elements()[i].as_string();
        if (name == "num-slaves") replicas = master.elements()[i + 1].as_string();
        if (name == "num-other-sentinels") others = master.elements()[i + 1].as_string();
      }
      if (replicas == "1" && others == "2") break;
      if (Clock::now() > deadline) {
        ADD_FAILURE() << "sentinels not ready: replicas " << replicas << ", others " << others;
        co_return;
      }
      co_await testing::sleep_for(100ms);
    }
  }
}

awaitable<void> finds_the_master(ConnectionOptions through_sentinels, unsigned short master_port) {
  auto executor = co_await asio::this_coro::executor;
  RedisUrl resolved = co_await resolve_master(through_sentinels.endpoint, 1s);
  EXPECT_EQ(resolved.host, "127.0.0.1");
  EXPECT_EQ(resolved.port, master_port);

  Connection c(executor, through_sentinels);
  co_await c.connect();
  EXPECT_TRUE((co_await c.command({"SET", "sentinel:k", "v"})).is_status());
  EXPECT_EQ((co_await c.command({"GET", "sentinel:k"})).as_string(), "v");
  // The URL's DB and credentials are the master's.
  Reply info = co_await c.command({"CLIENT", "INFO"});
  EXPECT_NE(info.as_string().find("db=2"), std::string::npos) << info.as_string();
  c.close();
}

TEST_F(RedisSentinel, FindsTheMasterThroughTheSentinels) {
  asio::io_context io;
  testing::run(io, finds_the_master(options(url()), master_.port()));
  io.restart();
  // A sentinel that does not answer is skipped for the next.
  testing::run(io, finds_the_master(options(url(kMaster, true)), master_.port()));
}

awaitable<void> refused(ConnectionOptions options, std::string* message) {
  Connection c(co_await asio::this_coro::executor, options);
  try {
    co_await c.connect();
    ADD_FAILURE() << "connected to an unknown master";
  } catch (const IoError& e) {
    *message = e.what();
  }
  c.close();
}

TEST_F(RedisSentinel, UnknownMasterNameIsAClearError) {
  asio::io_context io;
  std::string message;
  testing::run(io, refused(options(url("nope")), &message));
  EXPECT_NE(message.find("knows no master named 'nope'"), std::string::npos) << message;
  EXPECT_EQ(message.find(kPassword), std::string::npos) << message;
  EXPECT_EQ(message.find(kSentinelPassword), std::string::npos) << message;

  // A wrong sentinel password: refused, said, and not shown.
  RedisUrl wrong = url();
  wrong.sentinel_password = "not-it";
  message.clear();
  io.restart();
  testing::run(io, refused(options(wrong), &message));
  EXPECT_NE(message.find("no sentinel named the master"), std::string::npos) << message;
  EXPECT_NE(message.find("AUTH"), std::string::npos) << message;
  EXPECT_EQ(message.find("not-it"), std::string::npos) << message;
}

awaitable<void> follows_a_failover(asio::io_context* io, ClientOptions client_options,
                                   ConnectionOptions subscriber_options, ConnectionOptions sentinel,
                                   unsigned short master_port, unsigned short replica_port,
                                   Clock::duration* outage) {
  auto executor = co_await asio::this_coro::executor;
  Client client(*io, client_options);
  co_await client.connect();
  EXPECT_EQ(co_await server_port(client), master_port);
  EXPECT_TRUE((co_await client.command({"SET", "sentinel:sold", "1"})).is_status());

  int received = 0;
  Subscriber subscriber(executor, subscriber_options,
                        [&](std::string_view, std::string_view) { ++received; });
  subscriber.subscribe("sentinel:news");
  co_await subscriber.connect();

  Connection to_sentinel(executor, sentinel);
  co_await to_sentinel.connect();
  const auto started = Clock::now();
  EXPECT_TRUE((co_await to_sentinel.command({"SENTINEL", "FAILOVER", kMaster})).is_status());

  // Commands fail (IoError, or READONLY on the demoted master) until the new master is found;
  // never a hang or a crash.
  int failed = 0;
  unsigned short port = master_port;
  while (Clock::now() - started < 30s) {
    try {
      Reply reply = co_await client.command({"INCR", "sentinel:sold"});
      if (!reply.is_error()) {
        port = co_await server_port(client);
        if (port == replica_port) break;
      }
    } catch (const InfraError&) {
      ++failed;
    }
    co_await testing::sleep_for(10ms);
  }
  *outage = Clock::now() - started;
  EXPECT_EQ(port, replica_port) << "still not on the new master after 30 s";
  if (port != replica_port) co_return;

  // It keeps working on the new master, whose data the old one replicated.
  for (int i = 0; i < 100; ++i) {
    EXPECT_FALSE((co_await client.command({"INCR", "sentinel:sold"})).is_error());
  }
  EXPECT_GE(std::stoi(std::string((co_await client.command({"GET", "sentinel:sold"})).as_string())),
            101);

  // The subscriber is subscribed again wherever it is now: a message published on the new
  // master reaches it.
  const auto wait_from = Clock::now();
  while (received == 0 && Clock::now() - wait_from < 10s) {
    co_await client.command({"PUBLISH", "sentinel:news", "hello"});
    co_await testing::sleep_for(50ms);
  }
  EXPECT_GT(received, 0);
  subscriber.close();
  to_sentinel.close();
  client.close();
  (void)failed;
}

TEST_F(RedisSentinel, FollowsAFailover) {
  asio::io_context io;
  {
    std::vector<ConnectionOptions> sentinels;
    for (std::size_t i = 0; i < sentinels_.size(); ++i)
      sentinels.push_back(sentinel_options(i));
    testing::run(io, wait_until_sentinels_ready(std::move(sentinels)));
  }
  io.restart();
  ClientOptions client_options;
  client_options.connection = options(url());
  client_options.connections_per_context = 2;
  Clock::duration outage{};
  testing::run(io,
               follows_a_failover(&io, client_options, options(url()), sentinel_options(0),
                                  master_.port(), replica_.port(), &outage),
               60s);
  std::printf("failover: commands on the new master %lld ms after SENTINEL FAILOVER\n",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(outage).count()));
}

}  // namespace
}  // namespace seckill::redis
