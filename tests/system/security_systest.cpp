// Who may call what (docs/security.md, "Authentication and roles"): every endpoint of the
// contract, called with no token and with a user's, a staff member's and an admin's token, in
// both modes: one test per row of the table. Then tokens that must be refused, and the rate
// limits (429 `rate_limited` with Retry-After) in both modes; and no backend's error text in
// any answer.
#include <arpa/inet.h>
#include <array>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <netinet/in.h>
#include <poll.h>
#include <random>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "auth/token_signer.hpp"
#include "chaos/loopback_proxy.hpp"
#include "support/test_env.hpp"
#include "system/raw_exchange.hpp"
#include "system/seckill_cluster.hpp"

using namespace seckill::testing;

namespace {

enum class Caller { none, user, staff, admin };
constexpr Caller kCallers[] = {Caller::none, Caller::user, Caller::staff, Caller::admin};

const char* caller_name(Caller c) {
  switch (c) {
    case Caller::none:
      return "no token";
    case Caller::user:
      return "user";
    case Caller::staff:
      return "staff";
    case Caller::admin:
      return "admin";
  }
  return "?";
}

// The callers' user ids; the user owns the order and the reminder the rows refer to.
constexpr std::uint64_t kUser = 1001, kStaff = 2002, kAdmin = 3003;

std::string token_of(Caller c) {
  switch (c) {
    case Caller::none:
      return {};
    case Caller::user:
      return token_for(kUser, "user");
    case Caller::staff:
      return token_for(kStaff, "staff");
    case Caller::admin:
      return token_for(kAdmin, "admin");
  }
  return {};
}

/// One cluster per mode for the whole suite: starting one per row would be slow.
SeckillCluster& cluster_for(Mode mode) {
  static std::map<Mode, std::unique_ptr<SeckillCluster>> clusters;
  auto& c = clusters[mode];
  if (!c) c = std::make_unique<SeckillCluster>(1, std::vector<std::string>{}, mode);
  return *c;
}

std::string unique_ticket(std::string_view what) {
  return fmt::format("SEC-{}-{}", what, std::random_device{}());
}

/// Creates what a row needs and returns the target to call.
using Prepare = std::function<std::string(SeckillCluster&, HttpClient&)>;

std::string new_reminder(SeckillCluster& cluster, HttpClient& client) {
  auto ticket = unique_ticket("rem");
  auto r = client.request("POST", "/api/v1/tickets/" + ticket + "/reminders", token_for(kUser));
  if (r.status != 201) throw std::runtime_error("reminder: " + r.body);
  auto id = std::string(r.json().as_object().at("reminder_id").as_string());
  cluster.wait_for_store(fmt::format("select count(*) from reminders where id = {}", id), "1", 20);
  return id;
}

struct Row {
  std::string name;  ///< the test's name
  std::string method;
  Prepare target;
  std::string body;
  /// The status for no token, user, staff, admin.
  std::array<int, 4> expected;
};

std::string voucher_body() {
  return R"({"title":"t","stock":5,"begin_at":"2020-01-01T00:00:00Z","end_at":"2099-01-01T00:00:00Z"})";
}

std::vector<Row> rows() {
  auto fixed = [](std::string target) {
    return [target](SeckillCluster&, HttpClient&) { return target; };
  };
  auto voucher = [](SeckillCluster&, HttpClient& c) { return create_voucher(c, 10); };
  return {
      {"healthz", "GET", fixed("/healthz"), "", {200, 200, 200, 200}},
      {"readyz", "GET", fixed("/readyz"), "", {200, 200, 200, 200}},
      {"create_voucher", "POST", fixed("/api/v1/vouchers"), voucher_body(), {401, 403, 403, 201}},
      {"get_voucher",
       "GET",
       [voucher](SeckillCluster& s, HttpClient& c) { return "/api/v1/vouchers/" + voucher(s, c); },
       "",
       {401, 200, 200, 200}},
      // Any valid token orders for its own subject (staff and admin too).
      {"take_order",
       "POST",
       [voucher](SeckillCluster& s, HttpClient& c) {
         return "/api/v1/vouchers/" + voucher(s, c) + "/orders";
       },
       "",
       {401, 201, 201, 201}},
      // The order belongs to the user: staff are not admins and get 404 like anyone else.
      {"get_order",
       "GET",
       [voucher](SeckillCluster& s, HttpClient& c) {
         auto v = voucher(s, c);
         auto r = c.request("POST", "/api/v1/vouchers/" + v + "/orders", token_for(kUser));
         if (r.status != 201) throw std::runtime_error("order: " + r.body);
         return "/api/v1/orders/" + std::string(r.json().as_object().at("order_id").as_string());
       },
       "",
       {401, 200, 404, 200}},
      {"remind",
       "POST",
       [](SeckillCluster&, HttpClient&) {
         return "/api/v1/tickets/" + unique_ticket("post") + "/reminders";
       },
       "",
       {401, 201, 201, 201}},
      {"list_ticket_reminders",
       "GET",
       [](SeckillCluster&, HttpClient&) {
         return "/api/v1/tickets/" + unique_ticket("get") + "/reminders";
       },
       "",
       {401, 200, 200, 200}},
      {"reminder_queue", "GET", fixed("/api/v1/reminders?status=open"), "", {401, 403, 200, 200}},
      {"ack",
       "POST",
       [](SeckillCluster& s, HttpClient& c) {
         return "/api/v1/reminders/" + new_reminder(s, c) + "/ack";
       },
       "",
       {401, 403, 200, 200}},
      {"resolve",
       "POST",
       [](SeckillCluster& s, HttpClient& c) {
         return "/api/v1/reminders/" + new_reminder(s, c) + "/resolve";
       },
       "",
       {401, 403, 200, 200}},
  };
}

class EndpointAccess : public ::testing::TestWithParam<std::tuple<Mode, Row>> {};

std::string row_name(const ::testing::TestParamInfo<std::tuple<Mode, Row>>& info) {
  return std::string(std::get<0>(info.param) == Mode::embedded ? "embedded_" : "distributed_") +
         std::get<1>(info.param).name;
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Table, EndpointAccess,
                         ::testing::Combine(::testing::Values(Mode::distributed, Mode::embedded),
                                            ::testing::ValuesIn(rows())),
                         row_name);

TEST_P(EndpointAccess, EachCallerGetsWhatTheTableSays) {
  const auto& [mode, row] = GetParam();
  auto& cluster = cluster_for(mode);
  auto client = cluster.client(0);
  for (std::size_t i = 0; i < 4; ++i) {
    const Caller caller = kCallers[i];
    // A fresh target per caller: a second order or ack would answer 409 for its own reasons.
    auto target = row.target(cluster, client);
    auto answer = client.request(row.method, target, token_of(caller), row.body);
    EXPECT_EQ(answer.status, row.expected[i])
        << row.method << " " << target << " as " << caller_name(caller) << ": " << answer.body;
    if (row.expected[i] == 401) {
      EXPECT_EQ(answer.error_code(), "unauthorized");
    }
    if (row.expected[i] == 403) {
      EXPECT_EQ(answer.error_code(), "forbidden");
    }
  }
}

// Found by the barrage: ids from 2^63 on (positive 64-bit numbers, but never ids) reached
// PostgreSQL's signed bigint and answered 503 in the distributed mode; now 404 in both.
class IdsBeyondBit63 : public ::testing::TestWithParam<Mode> {};

std::string param_label(const ::testing::TestParamInfo<Mode>& info) {
  return info.param == Mode::embedded ? "embedded" : "distributed";
}

INSTANTIATE_TEST_SUITE_P(Modes, IdsBeyondBit63,
                         ::testing::Values(Mode::distributed, Mode::embedded), param_label);

TEST_P(IdsBeyondBit63, AreNotFound) {
  auto& cluster = cluster_for(GetParam());
  auto client = cluster.client(0);
  for (const char* id : {"9223372036854775808", "18446744073709551615"}) {
    const std::string n = id;
    const std::vector<std::pair<std::string, std::string>> calls{
        {"GET", "/api/v1/vouchers/" + n},
        {"POST", "/api/v1/vouchers/" + n + "/orders"},
        {"GET", "/api/v1/orders/" + n},
        {"POST", "/api/v1/reminders/" + n + "/ack"},
        {"POST", "/api/v1/reminders/" + n + "/resolve"}};
    for (const auto& [method, target] : calls) {
      auto answer = client.request(method, target, token_of(Caller::admin));
      EXPECT_EQ(answer.status, 404) << method << " " << target << ": " << answer.body;
      EXPECT_EQ(answer.error_code(), "not_found");
    }
  }
}

TEST(Tokens, EveryMalformedOrForeignTokenIs401) {
  auto& cluster = cluster_for(Mode::embedded);
  auto client = cluster.client(0);
  seckill::auth::TokenSigner other("another secret");
  seckill::auth::TokenSigner ours(kTestJwtSecret);
  auto good = token_for(kUser);
  std::vector<std::pair<std::string, std::string>> bad{
      {"garbage", "garbage"},
      {"two parts", "a.b"},
      {"other secret", other.sign(kUser, seckill::auth::Role::admin, std::chrono::hours(1))},
      {"expired", ours.sign(kUser, seckill::auth::Role::user, std::chrono::seconds(-10))},
      {"no exp", ours.sign_payload(R"({"sub":"5"})")},
      {"sub zero", ours.sign_payload(R"({"sub":"0","exp":4102444800})")},
      {"sub too big", ours.sign_payload(R"({"sub":"18446744073709551616","exp":4102444800})")},
      {"unknown role", ours.sign_payload(R"({"sub":"5","role":"root","exp":4102444800})")},
      {"alg none", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIiwiZXhwIjo0MTAyNDQ0ODAwfQ."},
      {"signature flipped", good.substr(0, good.size() - 2) + (good.back() == 'A' ? "BB" : "AA")},
      {"huge", std::string(6000, 'a')},
  };
  for (const auto& [what, token] : bad) {
    auto answer = client.request("GET", "/api/v1/reminders?status=open", token);
    EXPECT_EQ(answer.status, 401) << what << ": " << answer.body;
    EXPECT_EQ(answer.error_code(), "unauthorized") << what;
    EXPECT_EQ(answer.body.find(token.substr(0, 20)), std::string::npos)
        << what << ": the answer must not quote the token";
  }
}

namespace {

class RateLimits : public ::testing::TestWithParam<Mode> {};

std::string mode_name(const ::testing::TestParamInfo<Mode>& info) {
  return info.param == Mode::embedded ? "embedded" : "distributed";
}

std::uint64_t random_user() {
  return 5'000'000 + std::random_device{}() % 1'000'000'000;
}

std::string random_loopback() {
  std::random_device rd;
  return fmt::format("127.{}.{}.{}", 1 + rd() % 250, rd() % 250, 1 + rd() % 250);
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Modes, RateLimits, ::testing::Values(Mode::distributed, Mode::embedded),
                         mode_name);

TEST_P(RateLimits, PerUserAcrossInstances) {
  const int instances = GetParam() == Mode::embedded ? 1 : 2;
  SeckillCluster cluster(instances, {"--rate-limit-user", "3/m"}, GetParam());
  auto admin = cluster.client(0);
  auto voucher = create_voucher(admin, 10);
  const auto user = random_user(), other = random_user() + 1;
  for (int i = 0; i < 3; ++i) {
    auto c = cluster.client(i % instances);
    EXPECT_EQ(c.request("GET", "/api/v1/vouchers/" + voucher, token_for(user)).status, 200) << i;
  }
  auto last = cluster.client(instances - 1);
  auto refused = last.request("GET", "/api/v1/vouchers/" + voucher, token_for(user));
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.error_code(), "rate_limited");
  // 3/m: one request every 20 s.
  ASSERT_FALSE(refused.retry_after.empty());
  EXPECT_GE(std::stoi(refused.retry_after), 1);
  EXPECT_LE(std::stoi(refused.retry_after), 20);
  EXPECT_EQ(refused.json().as_object().at("error").as_object().at("retry_after_s").as_int64(),
            std::stoi(refused.retry_after));
  // Another user, and the health checks, are not affected.
  EXPECT_EQ(last.request("GET", "/api/v1/vouchers/" + voucher, token_for(other)).status, 200);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(last.request("GET", "/healthz").status, 200);
}

TEST_P(RateLimits, PerAddressBeforeTheTokenIsChecked) {
  SeckillCluster cluster(1, {"--rate-limit-ip", "4/m"}, GetParam());
  const auto source = random_loopback(), elsewhere = random_loopback();
  RawOptions from;
  from.source = source;
  auto request = [&](const std::string& token) {
    std::string r = "GET /api/v1/reminders?status=open HTTP/1.1\r\nHost: x\r\n";
    if (!token.empty()) r += "Authorization: Bearer " + token + "\r\n";
    return r + "\r\n";
  };
  // Four requests from one address pass the limiter, whatever their tokens say...
  EXPECT_EQ(raw_exchange(cluster.port(0), request(token_for(1, "staff")), from).status, 200);
  EXPECT_EQ(raw_exchange(cluster.port(0), request("forged"), from).status, 401);
  EXPECT_EQ(raw_exchange(cluster.port(0), request(""), from).status, 401);
  EXPECT_EQ(raw_exchange(cluster.port(0), request(token_for(2, "staff")), from).status, 200);
  // ...the fifth is refused before its token is read, even a valid one.
  auto refused = raw_exchange(cluster.port(0), request(token_for(3, "staff")), from);
  EXPECT_EQ(refused.status, 429) << refused.head;
  EXPECT_NE(refused.head.find("Retry-After: "), std::string::npos) << refused.head;
  EXPECT_NE(refused.body.find("\"rate_limited\""), std::string::npos) << refused.body;
  // Another address, and /healthz from this one, still pass.
  RawOptions other;
  other.source = elsewhere;
  EXPECT_EQ(raw_exchange(cluster.port(0), request(token_for(3, "staff")), other).status, 200);
  EXPECT_EQ(raw_exchange(cluster.port(0), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", from).status,
            200);
}

TEST(RateLimitFlags, AMalformedRateIsAUsageErrorNamingTheFlag) {
  auto log = "/tmp/seckill-rate-flag.log";
  std::remove(log);
  ChildProcess p({seckill_binary(), "serve", "--listen", "127.0.0.1:0", "--rate-limit-user", "ten"},
                 log);
  int status = p.wait(std::chrono::seconds(10));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("--rate-limit-user"), std::string::npos) << text;
}

TEST(Secrets, NeitherTheSecretNorAnyTokenReachesTheLog) {
  const std::string secret = "s3cret-that-must-not-be-logged-anywhere";
  const auto port = free_port();
  char dir[] = "/tmp/seckill-secrets-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string log = std::string(dir) + "/serve.log";
  ChildProcess serve(
      {seckill_binary(), "serve", "--listen", fmt::format("127.0.0.1:{}", port), "--jwt-secret",
       secret, "--data", dir, "--threads", "1", "--log-level", "trace"},
      log);
  wait_for_port(port);
  seckill::auth::TokenSigner signer(secret), other("another secret");
  const auto good = signer.sign(7, seckill::auth::Role::admin, std::chrono::hours(1));
  const auto expired = signer.sign(8, seckill::auth::Role::user, std::chrono::seconds(-5));
  const auto foreign = other.sign(9, seckill::auth::Role::admin, std::chrono::hours(1));
  HttpClient client("127.0.0.1", port);
  EXPECT_EQ(client.request("GET", "/api/v1/reminders?status=open", good).status, 200);
  EXPECT_EQ(client.request("GET", "/api/v1/reminders?status=open", expired).status, 401);
  EXPECT_EQ(client.request("GET", "/api/v1/reminders?status=open", foreign).status, 401);
  EXPECT_EQ(
      client.request("POST", "/api/v1/vouchers", good, "{\"title\":\"" + secret + "\"}").status,
      400);
  serve.stop(SIGTERM);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_FALSE(text.empty()) << "trace logging wrote nothing: the check would prove nothing";
  EXPECT_EQ(text.find(secret), std::string::npos) << text;
  for (const auto& token : {good, expired, foreign}) {
    // The signature part is what makes a token usable.
    EXPECT_EQ(text.find(token.substr(token.rfind('.') + 1)), std::string::npos) << text;
  }
  std::filesystem::remove_all(dir);
}

/// Sends `request` and reads what comes back until `done(text)`, the server closes, or
/// `timeout` (raw_exchange stops at the head of an event stream).
std::string read_stream(unsigned short port, const std::string& request,
                        const std::function<bool(const std::string&)>& done,
                        std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string text;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done(text) && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return text;
}

/// The port of a `scheme://[user@]host:PORT/...` URL.
unsigned short url_port(const std::string& url) {
  auto host = url.find('@') != std::string::npos ? url.find('@') : url.find("://") + 2;
  return static_cast<unsigned short>(std::stoi(url.substr(url.find(':', host) + 1)));
}

TEST(Leaks, ABackendsErrorTextNeverReachesAClient) {
  // Instance 0 reaches PostgreSQL through a proxy that then goes away: every query fails with
  // libpq's text, which names the host, the port and the user.
  const std::string pg = postgres_url();
  const unsigned short pg_port = url_port(pg);
  auto proxy = std::make_unique<LoopbackProxy>(pg_port);
  const std::string proxy_port = std::to_string(proxy->port());
  std::string proxied = pg;
  proxied.replace(pg.find(":" + std::to_string(pg_port)), 1 + std::to_string(pg_port).size(),
                  ":" + proxy_port);
  SeckillCluster cluster(1);
  cluster.use_backends(0, redis_url(), proxied);
  cluster.restart_hard(0);
  proxy.reset();

  auto leaks = [&](const std::string& text) {
    for (const std::string& secret : {std::string("127.0.0.1"), proxy_port, std::string("user"),
                                      std::string("connection"), std::string("server")}) {
      if (text.find(secret) != std::string::npos) return secret;
    }
    return std::string();
  };
  // The staff feed reads the reminder queue from PostgreSQL at each tick.
  auto failure_seen = [](const std::string& t) {
    auto at = t.find("event: failure\ndata: ");
    return at != std::string::npos && t.find("\n\n", at) != std::string::npos;
  };
  auto stream = read_stream(
      cluster.port(0),
      "GET /api/v1/events?access_token=" + token_for(1, "staff") + " HTTP/1.1\r\nHost: x\r\n\r\n",
      failure_seen, std::chrono::seconds(30));
  ASSERT_TRUE(failure_seen(stream)) << stream;
  auto event = stream.substr(stream.find("event: failure"));
  event = event.substr(0, event.find("\n\n"));
  EXPECT_EQ(leaks(event), "") << event;

  auto client = cluster.client(0);
  auto answer = client.request("GET", "/api/v1/reminders?status=open", token_for(1, "staff"));
  EXPECT_EQ(answer.status, 503) << answer.body;
  EXPECT_EQ(answer.error_code(), "unavailable");
  EXPECT_EQ(leaks(answer.body), "") << answer.body;
}
