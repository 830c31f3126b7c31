#include <cstdlib>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <gtest/gtest.h>

#include "core/infra_error.hpp"
#include "redis/client.hpp"
#include "redis/connection.hpp"
#include "redis/private_redis.hpp"
#include "redis/redis_test_support.hpp"
#include "redis/subscriber.hpp"
#include "redis/tls_context.hpp"
#include "support/test_env.hpp"

// A Redis with a TLS port only (and a password), its certificate made by a private CA in the
// test's temp directory with `openssl`: rediss:// connections verify the chain and the server's
// IP or name, and present a client certificate (Redis asks for one by default).

namespace seckill::redis {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;

void sh(const std::string& command) {
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

// A CA, a certificate signed by it for `san` (e.g. "IP:127.0.0.1"), named `name`.crt/.key.
void make_ca(const testing::TempDir& dir, const std::string& ca) {
  sh("cd " + dir.path().string() +
     " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
     "-keyout " +
     ca + ".key -out " + ca + ".crt -subj /CN=" + ca + " 2>/dev/null");
}
void make_cert(const testing::TempDir& dir, const std::string& ca, const std::string& name,
               const std::string& san) {
  const std::string d = dir.path().string();
  sh("cd " + d + " && printf 'subjectAltName=" + san + "\\n' > " + name + ".ext" +
     " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + name +
     ".key -out " + name + ".csr -subj /CN=" + name + " 2>/dev/null && openssl x509 -req -in " +
     name + ".csr -CA " + ca + ".crt -CAkey " + ca + ".key -CAcreateserial -days 2 -out " + name +
     ".crt -extfile " + name + ".ext 2>/dev/null");
}

class RedisTls : public ::testing::Test {
 protected:
  static testing::TempDir& make_files(testing::TempDir& dir) {
    make_ca(dir, "ca");
    make_ca(dir, "other-ca");
    make_cert(dir, "ca", "server", "IP:127.0.0.1");
    make_cert(dir, "ca", "client", "DNS:client");
    make_cert(dir, "other-ca", "stranger", "DNS:client");
    return dir;
  }

  RedisTls()
      : port_(seckill::testing::free_port()),
        server_(make_files(dir_), "tls", 0,
                {"tls-port " + std::to_string(port_), "tls-cert-file " + dir_.file("server.crt"),
                 "tls-key-file " + dir_.file("server.key"),
                 "tls-ca-cert-file " + dir_.file("ca.crt"), "requirepass pw"},
                false, port_) {}

  ConnectionOptions options(const std::string& host, TlsFiles files) const {
    ConnectionOptions o;
    o.endpoint = parse_redis_url("rediss://:pw@" + host + ":" + std::to_string(port_)).value();
    o.tls_context = make_tls_context(files);
    o.request_timeout = 5s;
    o.connect_timeout = 3s;
    return o;
  }
  TlsFiles good() const {
    return {dir_.file("ca.crt"), dir_.file("client.crt"), dir_.file("client.key")};
  }

  testing::TempDir dir_{"redis-tls"};
  unsigned short port_;
  testing::PrivateRedis server_;
};

awaitable<void> increment(Connection* connection, int* done) {
  (void)(co_await connection->command({"INCR", "tls:n"})).as_integer();
  ++*done;
}

awaitable<void> commands_and_messages(ConnectionOptions options) {
  auto executor = co_await asio::this_coro::executor;
  Connection c(executor, options);
  co_await c.connect();
  EXPECT_TRUE((co_await c.command({"SET", "tls:k", std::string(100'000, 'x')})).is_status());
  EXPECT_EQ((co_await c.command({"STRLEN", "tls:k"})).as_integer(), 100'000);
  // Many pipelined requests over one TLS session.
  int done = 0;
  for (int i = 0; i < 500; ++i) {
    asio::co_spawn(executor, increment(&c, &done), asio::detached);
  }
  for (int i = 0; i < 500 && done < 500; ++i)
    co_await testing::sleep_for(10ms);
  EXPECT_EQ(done, 500);
  EXPECT_EQ((co_await c.command({"GET", "tls:n"})).as_string(), "500");

  std::string heard;
  Subscriber subscriber(executor, options,
                        [&heard](std::string_view, std::string_view payload) { heard = payload; });
  subscriber.subscribe("tls:news");
  co_await subscriber.connect();
  EXPECT_EQ((co_await c.command({"PUBLISH", "tls:news", "over tls"})).as_integer(), 1);
  for (int i = 0; i < 200 && heard.empty(); ++i)
    co_await testing::sleep_for(5ms);
  EXPECT_EQ(heard, "over tls");

  // A dropped session reconnects with a fresh handshake.
  const std::string id = std::to_string((co_await c.command({"CLIENT", "ID"})).as_integer());
  Connection killer(executor, options);
  co_await killer.connect();
  (void)(co_await killer.command({"CLIENT", "KILL", "ID", id})).as_integer();
  for (int i = 0; i < 200 && c.connected(); ++i)
    co_await testing::sleep_for(5ms);
  co_await c.connect();
  EXPECT_EQ((co_await c.command({"GET", "tls:n"})).as_string(), "500");
  subscriber.close();
  killer.close();
  c.close();
}

TEST_F(RedisTls, CommandsAndMessagesGoOverTls) {
  asio::io_context io;
  testing::run(io, commands_and_messages(options("127.0.0.1", good())));
}

awaitable<void> refused(ConnectionOptions options, std::string* message) {
  Connection c(co_await asio::this_coro::executor, options);
  try {
    co_await c.connect();
    ADD_FAILURE() << "connected to " << to_string(options.endpoint);
  } catch (const IoError& e) {
    *message = e.what();
  }
  c.close();
}

TEST_F(RedisTls, ACertificateFromAnotherCaIsRefused) {
  asio::io_context io;
  std::string message;
  TlsFiles files = good();
  files.ca_file = dir_.file("other-ca.crt");
  testing::run(io, refused(options("127.0.0.1", files), &message));
  EXPECT_NE(message.find("TLS handshake"), std::string::npos) << message;
  EXPECT_NE(message.find("certificate verify failed"), std::string::npos) << message;
}

TEST_F(RedisTls, AWrongHostNameIsRefused) {
  // The certificate names 127.0.0.1 only: "localhost" reaches the same server but is not it.
  asio::io_context io;
  std::string message;
  testing::run(io, refused(options("localhost", good()), &message));
  EXPECT_NE(message.find("certificate verify failed"), std::string::npos) << message;
}

TEST_F(RedisTls, TheServerRefusesAClientWithoutAGoodCertificate) {
  for (auto files :
       {TlsFiles{dir_.file("ca.crt"), "", ""},
        TlsFiles{dir_.file("ca.crt"), dir_.file("stranger.crt"), dir_.file("stranger.key")}}) {
    asio::io_context io;
    std::string message;
    testing::run(io, refused(options("127.0.0.1", files), &message));
    EXPECT_FALSE(message.empty());
  }
}

TEST(RedisTlsContext, UnreadableFilesNameTheirFlag) {
  try {
    (void)make_tls_context(TlsFiles{"/nonexistent/ca.pem", "", ""});
    ADD_FAILURE() << "loaded a missing CA file";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--redis-tls-ca"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)make_tls_context(TlsFiles{"", "/nonexistent/c.pem", ""}),
               std::invalid_argument);
  EXPECT_NO_THROW((void)make_tls_context(TlsFiles{}));
}

}  // namespace
}  // namespace seckill::redis
