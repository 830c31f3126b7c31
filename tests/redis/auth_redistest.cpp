#include <csignal>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "redis/auth_error.hpp"
#include "redis/client.hpp"
#include "redis/connection.hpp"
#include "redis/private_redis.hpp"
#include "redis/probe.hpp"
#include "redis/redis_test_support.hpp"
#include "redis/subscriber.hpp"
#include "support/test_env.hpp"

// A Redis with `requirepass` and an ACL user, started by the test: every kind of connection the
// product opens authenticates with the URL's credentials; a wrong or missing password fails with
// AuthError and a message that never holds the password.

namespace seckill::redis {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;

// '@' and '/' in the default user's password: the URL must percent-encode or rely on the last '@'.
constexpr std::string_view kPassword = "s3cr@t/pw";
constexpr std::string_view kEncoded = "s3cr%40t%2Fpw";
constexpr std::string_view kUserPassword = "app-secret";

class RedisAuth : public ::testing::Test {
 protected:
  RedisAuth()
      : dir_("redis-auth"),
        server_(dir_, "auth", seckill::testing::free_port(),
                {"requirepass \"" + std::string(kPassword) + "\"",
                 "user app on >" + std::string(kUserPassword) + " ~* &* +@all"}) {}

  std::string url(std::string_view credentials, int db = 0) const {
    return "redis://" + std::string(credentials) + "@127.0.0.1:" + std::to_string(server_.port()) +
           "/" + std::to_string(db);
  }
  ConnectionOptions options(std::string_view credentials, int db = 0) const {
    ConnectionOptions o;
    o.endpoint = parse_redis_url(url(credentials, db)).value();
    o.request_timeout = 5s;
    o.reconnect_min = 20ms;
    o.reconnect_max = 200ms;
    return o;
  }

  testing::TempDir dir_;
  testing::PrivateRedis server_;
};

awaitable<void> default_user_and_acl_user(ConnectionOptions by_password, ConnectionOptions raw,
                                          ConnectionOptions by_user) {
  auto executor = co_await asio::this_coro::executor;
  Connection c(executor, by_password);
  co_await c.connect();
  EXPECT_EQ((co_await c.command({"ACL", "WHOAMI"})).as_string(), "default");
  EXPECT_TRUE((co_await c.command({"SET", "auth:k", "v"})).is_status());

  // The same password unescaped (the last '@' ends the credentials), DB 3 selected after AUTH.
  Connection in_db3(executor, raw);
  co_await in_db3.connect();
  EXPECT_TRUE((co_await in_db3.command({"GET", "auth:k"})).is_nil());
  EXPECT_TRUE((co_await in_db3.command({"SET", "auth:k3", "v3"})).is_status());
  EXPECT_TRUE((co_await c.command({"GET", "auth:k3"})).is_nil());

  Connection app(executor, by_user);
  co_await app.connect();
  EXPECT_EQ((co_await app.command({"ACL", "WHOAMI"})).as_string(), "app");
  EXPECT_EQ((co_await app.command({"GET", "auth:k"})).as_string(), "v");

  // A killed connection reconnects and authenticates again.
  const std::string id = std::to_string((co_await app.command({"CLIENT", "ID"})).as_integer());
  (void)(co_await c.command({"CLIENT", "KILL", "ID", id})).as_integer();
  for (int i = 0; i < 200 && app.connected(); ++i)
    co_await testing::sleep_for(5ms);
  co_await app.connect();
  EXPECT_EQ((co_await app.command({"ACL", "WHOAMI"})).as_string(), "app");
  c.close();
  in_db3.close();
  app.close();
}

TEST_F(RedisAuth, DefaultUserAndAclUserAuthenticate) {
  asio::io_context io;
  testing::run(io, default_user_and_acl_user(options(":" + std::string(kEncoded)),
                                             options(":" + std::string(kPassword), 3),
                                             options("app:" + std::string(kUserPassword))));
}

awaitable<void> refused(ConnectionOptions options, std::string* message) {
  Connection c(co_await asio::this_coro::executor, options);
  try {
    co_await c.connect();
    ADD_FAILURE() << "connected with wrong credentials";
  } catch (const AuthError& e) {
    *message = e.what();
  }
  c.close();
}

TEST_F(RedisAuth, WrongPasswordFailsWithAClearMessageWithoutThePassword) {
  for (const std::string credentials :
       {":WRONG-pw-123", "app:WRONG-pw-123", "nobody:WRONG-pw-123"}) {
    asio::io_context io;
    std::string message;
    testing::run(io, refused(options(credentials), &message));
    EXPECT_NE(message.find("AUTH refused"), std::string::npos) << message;
    EXPECT_NE(message.find("WRONGPASS"), std::string::npos) << message;
    EXPECT_NE(message.find("127.0.0.1:" + std::to_string(server_.port())), std::string::npos);
    EXPECT_EQ(message.find("WRONG-pw-123"), std::string::npos) << message;
  }
  // The probe serve runs at start says the same.
  try {
    probe(options(":WRONG-pw-123"));
    ADD_FAILURE() << "probe accepted a wrong password";
  } catch (const AuthError& e) {
    EXPECT_EQ(std::string(e.what()).find("WRONG-pw-123"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(probe(options(":" + std::string(kEncoded))));
}

TEST_F(RedisAuth, MissingPasswordIsAnAuthErrorToo) {
  ConnectionOptions none;
  none.endpoint = RedisUrl{"127.0.0.1", server_.port(), 0};
  EXPECT_THROW(probe(none), AuthError);
  // With a DB to select, the connection itself notices (NOAUTH to SELECT).
  none.endpoint.db = 1;
  asio::io_context io;
  std::string message;
  testing::run(io, refused(none, &message));
  EXPECT_NE(message.find("NOAUTH"), std::string::npos) << message;
}

awaitable<void> pool_and_subscriber(asio::io_context* io, ClientOptions client_options,
                                    ConnectionOptions options) {
  auto executor = co_await asio::this_coro::executor;
  Client client(*io, client_options);
  co_await client.connect();
  EXPECT_EQ((co_await client.command({"ACL", "WHOAMI"})).as_string(), "app");

  std::vector<std::string> heard;
  Subscriber subscriber(executor, options, [&heard](std::string_view, std::string_view payload) {
    heard.emplace_back(payload);
  });
  subscriber.subscribe("auth:news");
  co_await subscriber.connect();
  EXPECT_EQ((co_await client.command({"PUBLISH", "auth:news", "hello"})).as_integer(), 1);
  for (int i = 0; i < 200 && heard.empty(); ++i)
    co_await testing::sleep_for(5ms);
  EXPECT_EQ(heard, std::vector<std::string>{"hello"});
  subscriber.close();
  client.close();
}

TEST_F(RedisAuth, PoolAndSubscriberAuthenticate) {
  asio::io_context io;
  ClientOptions client_options;
  client_options.connection = options("app:" + std::string(kUserPassword));
  client_options.connections_per_context = 2;
  testing::run(io, pool_and_subscriber(&io, client_options, client_options.connection));
}

// A one-node cluster with the password: the router's connections to the nodes that CLUSTER SLOTS
// names (bare addresses) carry the seed's credentials.
awaitable<void> cluster_nodes(asio::io_context* io, ClientOptions client_options) {
  auto executor = co_await asio::this_coro::executor;
  {
    Connection admin(executor, client_options.connection);
    co_await admin.connect();
    (void)co_await admin.command({"CLUSTER", "ADDSLOTSRANGE", "0", "16383"});
    for (int i = 0; i < 400; ++i) {
      // Named: as_string() is a view into the reply, which must outlive it (ASan).
      Reply info = co_await admin.command({"CLUSTER", "INFO"});
      if (info.as_string().find("cluster_state:ok") != std::string::npos) break;
      co_await testing::sleep_for(25ms);
    }
    admin.close();
  }
  Client client(*io, client_options);
  co_await client.connect();
  EXPECT_TRUE(client.cluster());
  for (int i = 0; i < 20; ++i) {
    const std::string key = fmt::format("k{}", i);
    EXPECT_TRUE((co_await client.command({"SET", key, "v"})).is_status());
    EXPECT_EQ((co_await client.command({"GET", key})).as_string(), "v");
  }
  EXPECT_EQ((co_await client.command({"ACL", "WHOAMI"})).as_string(), "app");
  auto dedicated = co_await client.dedicated_for("k1");
  EXPECT_EQ((co_await dedicated.command({"ACL", "WHOAMI"})).as_string(), "app");
  dedicated.close();
  client.close();
}

TEST(RedisAuthCluster, RouterAuthenticatesOnEveryNode) {
  testing::TempDir dir("redis-auth-cluster");
  const auto port = seckill::testing::free_port();
  testing::PrivateRedis node(
      dir, "node", port,
      {"requirepass pw", "masterauth pw", "cluster-enabled yes",
       "cluster-config-file " + dir.file("nodes.conf"), "user app on >app-pw ~* &* +@all",
       // a bus port of its own: port + 10000 may not exist
       "cluster-port " + std::to_string(seckill::testing::free_port())});
  ClientOptions options;
  options.connection.endpoint =
      parse_redis_url("redis://app:app-pw@127.0.0.1:" + std::to_string(port)).value();
  options.connection.request_timeout = 5s;
  options.cluster_seeds = {options.connection.endpoint};
  asio::io_context io;
  testing::run(io, cluster_nodes(&io, options));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The product as run: a wrong password at start is a configuration error (exit 2), named after
// the flag, without the password.
TEST_F(RedisAuth, ServeExitsTwoOnAWrongPassword) {
  const std::string log = dir_.file("serve.log");
  seckill::testing::ChildProcess serve(
      {seckill::testing::seckill_binary(), "serve", "--listen", "127.0.0.1:0", "--redis",
       url(":WRONG-pw-123"), "--postgres", "postgresql://127.0.0.1:1/nothing", "--jwt-secret",
       std::string(32, 'x')},
      log);
  const int status = serve.wait(30s);
  const std::string output = read_file(log);
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 2) << output;
  EXPECT_NE(output.find("--redis"), std::string::npos) << output;
  EXPECT_NE(output.find("WRONGPASS"), std::string::npos) << output;
  EXPECT_EQ(output.find("WRONG-pw-123"), std::string::npos) << output;
}

}  // namespace
}  // namespace seckill::redis
