#include <chrono>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "redis/client.hpp"
#include "redis/key_slot.hpp"
#include "redis/private_redis.hpp"
#include "redis/redis_test_support.hpp"
#include "redis/redis_url.hpp"
#include "redis/script.hpp"
#include "redis/tls_context.hpp"
#include "support/test_env.hpp"

// A Redis Cluster of three masters that speaks TLS only (`port 0`, `tls-port`, `tls-cluster yes`
// for the bus, `tls-replication yes`), its certificates made by a private CA in the test's temp
// directory with openssl: the cluster client reads the slot map over TLS, runs commands and a
// script on every master, and follows a MOVED after a slot changes owner.

namespace seckill::redis {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;

std::string shell(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen((command + " 2>&1").c_str(), "r"), &pclose);
  if (!pipe) throw std::runtime_error("popen failed: " + command);
  char buffer[4096];
  while (auto n = fread(buffer, 1, sizeof buffer, pipe.get()))
    out.append(buffer, n);
  return out;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  return s;
}

std::string cli(const std::string& ca, unsigned short port, const std::string& args);

// A port whose cluster bus port (+10000) is free too.
unsigned short cluster_port() {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const unsigned short port = seckill::testing::free_port();
    if (port > 55000) continue;
    const auto bus =
        shell(fmt::format("(exec 3<>/dev/tcp/127.0.0.1/{}) && echo taken", port + 10000));
    if (bus.find("taken") == std::string::npos) return port;
  }
  throw std::runtime_error("no port with a free bus port");
}

class RedisTlsCluster : public ::testing::Test {
 protected:
  RedisTlsCluster() {
    const auto d = dir_.path().string();
    shell(fmt::format(
        "cd {0} && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-days 2 -keyout ca.key -out ca.crt -subj /CN=ca && printf "
        "'subjectAltName=IP:127.0.0.1\\n' > node.ext && openssl req -newkey ec -pkeyopt "
        "ec_paramgen_curve:prime256v1 -nodes -keyout node.key -out node.csr -subj /CN=node && "
        "openssl x509 -req -in node.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out "
        "node.crt -extfile node.ext",
        d));
    for (int i = 0; i < 3; ++i) {
      const unsigned short port = cluster_port();
      nodes_.push_back(std::make_unique<testing::PrivateRedis>(
          dir_, fmt::format("node{}", i), port,
          std::vector<std::string>{
              "port 0", fmt::format("tls-port {}", port), "tls-cert-file " + dir_.file("node.crt"),
              "tls-key-file " + dir_.file("node.key"), "tls-ca-cert-file " + dir_.file("ca.crt"),
              "tls-auth-clients no", "tls-cluster yes", "tls-replication yes",
              "cluster-enabled yes", fmt::format("cluster-config-file nodes-{}.conf", port),
              "cluster-node-timeout 2000"},
          false, port));
    }
    std::string addresses;
    for (const auto& n : nodes_)
      addresses += fmt::format(" 127.0.0.1:{}", n->port());
    created_ = cli(nodes_[0]->port(), "--cluster create" + addresses + " --cluster-yes");
    for (const auto& n : nodes_) {
      for (int i = 0; i < 100; ++i) {
        if (cli(n->port(), "cluster info").find("cluster_state:ok") != std::string::npos) break;
        std::this_thread::sleep_for(100ms);
      }
    }
  }

  std::string cli(unsigned short port, const std::string& args) const;

  ClientOptions options() const {
    std::string seeds;
    for (const auto& n : nodes_)
      seeds += fmt::format("rediss://127.0.0.1:{},", n->port());
    seeds.pop_back();
    auto parsed = parse_redis_urls(seeds);
    EXPECT_TRUE(parsed.has_value()) << parsed.error();
    ClientOptions o;
    o.connection.endpoint = parsed->front();
    o.connection.tls_context = make_tls_context(TlsFiles{dir_.file("ca.crt"), "", ""});
    o.connection.request_timeout = 5s;
    o.connection.connect_timeout = 3s;
    o.cluster_seeds = *parsed;
    return o;
  }

  testing::TempDir dir_{"redis-tls-cluster"};
  std::vector<std::unique_ptr<testing::PrivateRedis>> nodes_;
  std::string created_;
};

std::string RedisTlsCluster::cli(unsigned short port, const std::string& args) const {
  return redis::cli(dir_.file("ca.crt"), port, args);
}

const Script kAdd("add", "return redis.call('INCRBY', KEYS[1], ARGV[1])");

std::string cli(const std::string& ca, unsigned short port, const std::string& args) {
  return shell(fmt::format("redis-cli --tls --cacert {} -h 127.0.0.1 -p {} {}", ca, port, args));
}

awaitable<void> commands_scripts_and_moved(asio::io_context* io, ClientOptions options,
                                           std::string ca, std::vector<unsigned short> nodes) {
  Client client(*io, options);
  co_await client.connect();
  auto map = client.slot_map();
  EXPECT_NE(map, nullptr);
  if (!map) co_return;

  // Keys on every master: SET, GET, and a script (EVALSHA, loaded per node on NOSCRIPT).
  std::set<std::uint16_t> owners;
  for (int i = 0; i < 30; ++i) {
    const auto key = fmt::format("tls-cluster:k{}", i);
    owners.insert(map->owner_of(key_slot(key)));
    EXPECT_TRUE((co_await client.command({"SET", key, std::to_string(i)})).is_status());
    EXPECT_EQ((co_await client.command({"GET", key})).as_string(), std::to_string(i));
    EXPECT_EQ((co_await client.eval(kAdd, {key}, {"100"})).as_integer(), 100 + i);
  }
  EXPECT_EQ(owners.size(), 3u) << "the keys did not reach every master";

  // The slot of an unused key changes owner behind the client's back (CLUSTER SETSLOT ... NODE
  // on every node): the old owner answers MOVED, which the client follows over a TLS connection
  // to the new one.
  const std::string key = "tls-cluster:moving";
  const auto slot = key_slot(key);
  unsigned short from = 0, to = 0;
  for (auto port : nodes)
    if (cli(ca, port, "get " + key).find("MOVED") == std::string::npos) from = port;
  for (auto port : nodes)
    if (port != from && to == 0) to = port;
  EXPECT_NE(from, 0);
  const auto to_id = trimmed(cli(ca, to, "cluster myid"));
  for (auto port : nodes)
    (void)cli(ca, port, fmt::format("cluster setslot {} node {}", slot, to_id));
  EXPECT_NE(cli(ca, from, "get " + key).find("MOVED"), std::string::npos);
  EXPECT_TRUE((co_await client.command({"SET", key, "moved"})).is_status());
  EXPECT_EQ((co_await client.command({"GET", key})).as_string(), "moved");
  EXPECT_EQ(trimmed(cli(ca, to, "get " + key)), "moved");
  EXPECT_EQ((co_await client.eval(kAdd, {key}, {"7"})).is_error(), true);  // not an integer
  EXPECT_EQ((co_await client.eval(kAdd, {"{" + key + "}:n"}, {"7"})).as_integer(), 7);
  client.close();
}

TEST_F(RedisTlsCluster, CommandsScriptsAndMovedOverTls) {
  ASSERT_NE(created_.find("[OK] All 16384 slots covered"), std::string::npos) << created_;
  std::vector<unsigned short> ports;
  for (const auto& n : nodes_)
    ports.push_back(n->port());
  // Only TLS: a plain connection to a node's port gets no answer.
  EXPECT_EQ(trimmed(shell(fmt::format("redis-cli -h 127.0.0.1 -p {} ping", ports[0]))).find("PONG"),
            std::string::npos);
  asio::io_context io;
  testing::run(io, commands_scripts_and_moved(&io, options(), dir_.file("ca.crt"), ports), 60s);
}

}  // namespace
}  // namespace seckill::redis
