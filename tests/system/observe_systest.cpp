// The operations views of real `seckill serve` processes, in both modes: GET /metrics in the
// Prometheus text format with figures that match what the API answered, X-Request-Id echoed,
// and the server-sent event feed of the dashboard (GET /api/v1/events), authenticated, admitted
// like every route with a token (rate limits, caps on open streams) and ended with its token.
#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <cstdlib>
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
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "auth/token_signer.hpp"
#include "support/child_process.hpp"
#include "support/test_env.hpp"
#include "system/raw_exchange.hpp"
#include "system/seckill_cluster.hpp"

using namespace seckill::testing;
using namespace std::chrono_literals;

namespace {

/// Sends `request` as is and reads what comes back until `done(text)` or `timeout`: for the
/// headers and the event stream, which HttpClient does not show.
std::string raw_exchange(unsigned short port, const std::string& request,
                         const std::function<bool(const std::string&)>& done,
                         std::chrono::milliseconds timeout = 5s) {
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

/// The value of the sample `name{labels}` in a scrape, or -1 if absent.
double sample(const std::string& scrape, const std::string& series) {
  auto at = scrape.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(scrape.substr(at + series.size() + 2));
}

/// An event stream held open: connects (from `source`, any 127.0.0.0/8 address, when given),
/// sends the request and reads the response head. Closed when it goes away.
class OpenStream {
 public:
  OpenStream(unsigned short port, const std::string& target, const std::string& source = {}) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    if (!source.empty()) {
      sockaddr_in from{};
      from.sin_family = AF_INET;
      ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
      if (::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) return;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
            static_cast<ssize_t>(request.size())) {
      return;
    }
    read_until([](const std::string& t) { return t.find("\r\n\r\n") != std::string::npos; }, 5s);
    if (text_.starts_with("HTTP/1.1 ")) status_ = std::atoi(text_.c_str() + 9);
  }
  ~OpenStream() {
    if (fd_ >= 0) ::close(fd_);
  }
  OpenStream(const OpenStream&) = delete;
  OpenStream& operator=(const OpenStream&) = delete;

  int status() const { return status_; }
  const std::string& text() const { return text_; }
  /// Reads until `done(text)`, the server closes (then closed() is true) or `timeout`.
  void read_until(const std::function<bool(const std::string&)>& done,
                  std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (fd_ >= 0 && !closed_ && !done(text_) && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      text_.append(buf, static_cast<std::size_t>(n));
    }
  }
  bool closed() const { return closed_; }

 private:
  int fd_ = -1;
  int status_ = 0;
  bool closed_ = false;
  std::string text_;
};

class ObserveBothModes : public ::testing::TestWithParam<Mode> {};

std::string mode_name(const ::testing::TestParamInfo<Mode>& info) {
  return info.param == Mode::embedded ? "embedded" : "distributed";
}

INSTANTIATE_TEST_SUITE_P(Modes, ObserveBothModes,
                         ::testing::Values(Mode::distributed, Mode::embedded), mode_name);

TEST_P(ObserveBothModes, MetricsMatchWhatTheApiAnswered) {
  SeckillCluster cluster(1, {}, GetParam());
  auto client = cluster.client(0);
  const std::string voucher = create_voucher(client, 3);
  int taken = 0, sold_out = 0, already = 0;
  for (std::uint64_t user = 100; user < 108; ++user) {
    auto a = client.request("POST", "/api/v1/vouchers/" + voucher + "/orders", token_for(user));
    taken += a.status == 201;
    sold_out += a.error_code() == "sold_out";
  }
  auto again = client.request("POST", "/api/v1/vouchers/" + voucher + "/orders", token_for(100));
  already += again.error_code() == "already_ordered";
  ASSERT_EQ(taken, 3);
  ASSERT_EQ(sold_out, 5);
  ASSERT_EQ(already, 1);
  ASSERT_EQ(client.request("POST", "/api/v1/tickets/OBS-1/reminders", token_for(100)).status, 201);
  ASSERT_EQ(client.request("GET", "/healthz").status, 200);
  ASSERT_EQ(client.request("GET", "/no/such/thing").status, 404);

  // The reminder reaches the store a few milliseconds after it is accepted.
  std::string scrape;
  for (int i = 0; i < 50; ++i) {
    auto m = client.request("GET", "/metrics");
    ASSERT_EQ(m.status, 200);
    scrape.assign("\n");
    scrape += m.body;
    if (sample(scrape, "seckill_reminder_queue_size{status=\"open\"}") >= 1) break;
    std::this_thread::sleep_for(100ms);
  }
  const std::string orders = "method=\"POST\",route=\"/api/v1/vouchers/{id:u64}/orders\"";
  EXPECT_EQ(sample(scrape, "seckill_http_requests_total{" + orders + ",status=\"201\"}"), 3)
      << scrape;
  EXPECT_EQ(sample(scrape, "seckill_http_requests_total{" + orders + ",status=\"409\"}"), 6);
  // The cluster's readiness check asked /healthz too.
  EXPECT_GE(sample(scrape,
                   "seckill_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"),
            1);
  EXPECT_EQ(
      sample(scrape, "seckill_http_requests_total{method=\"\",route=\"unmatched\",status=\"404\"}"),
      1);
  EXPECT_EQ(sample(scrape, "seckill_http_request_duration_seconds_count{" + orders + "}"), 9);
  EXPECT_EQ(sample(scrape, "seckill_orders_taken_total{voucher=\"" + voucher + "\"}"), 3);
  EXPECT_EQ(sample(scrape,
                   "seckill_order_refusals_total{voucher=\"" + voucher + "\",reason=\"sold_out\"}"),
            5);
  EXPECT_EQ(sample(scrape, "seckill_order_refusals_total{voucher=\"" + voucher +
                               "\",reason=\"already_ordered\"}"),
            1);
  EXPECT_EQ(sample(scrape, "seckill_voucher_stock_left{voucher=\"" + voucher + "\"}"), 0);
  EXPECT_GE(sample(scrape, "seckill_reminder_queue_size{status=\"open\"}"), 1);
  EXPECT_GE(sample(scrape, "seckill_http_open_connections"), 1);
  EXPECT_NE(scrape.find("# TYPE seckill_http_request_duration_seconds histogram"),
            std::string::npos);
  if (GetParam() == Mode::distributed) {
    EXPECT_GT(sample(scrape, "seckill_backend_call_duration_seconds_count{backend=\"redis\"}"), 0);
    EXPECT_GT(sample(scrape, "seckill_backend_call_duration_seconds_count{backend=\"postgres\"}"),
              0);
    EXPECT_EQ(sample(scrape, "seckill_writer_dead_letters_total{writer=\"order\"}"), 0);
    // The three orders reach PostgreSQL through the order writer. At least three: the run's Redis
    // is shared, and this instance's writer also claims entries other tests' instances left.
    for (int i = 0; i < 50 && sample(scrape, "seckill_writer_entries_total{writer=\"order\"}") < 3;
         ++i) {
      std::this_thread::sleep_for(100ms);
      scrape.assign("\n");
      scrape += client.request("GET", "/metrics").body;
    }
    EXPECT_GE(sample(scrape, "seckill_writer_entries_total{writer=\"order\"}"), 3) << scrape;
    EXPECT_GE(sample(scrape, "seckill_writer_lag_seconds_count{writer=\"order\"}"), 1);
    EXPECT_GE(sample(scrape, "seckill_writer_batch_entries_count{writer=\"order\"}"), 1);
  } else {
    EXPECT_GT(sample(scrape, "seckill_backend_call_duration_seconds_count{backend=\"sqlite\"}"), 0);
    EXPECT_GE(sample(scrape, "seckill_sqlite_writes_total"), 4);
  }
}

/// The value of header `name` in the raw answer `text` ("" when absent). Not std::regex: GCC 12
/// at -O1 with ASan (the `asan` preset) warns falsely inside <regex> (GCC PR 105616).
std::string header_value(const std::string& text, const std::string& name) {
  auto at = text.find(name + ": ");
  if (at == std::string::npos) {
    return {};
  }
  at += name.size() + 2;
  return text.substr(at, text.find("\r\n", at) - at);
}

TEST_P(ObserveBothModes, RequestIdIsEchoedOrMade) {
  SeckillCluster cluster(1, {}, GetParam());
  auto has_body = [](const std::string& t) { return t.find("\r\n\r\n{") != std::string::npos; };
  auto given = raw_exchange(cluster.port(0),
                            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: trace-42\r\n"
                            "Connection: close\r\n\r\n",
                            has_body);
  EXPECT_NE(given.find("X-Request-Id: trace-42\r\n"), std::string::npos) << given;
  auto made = raw_exchange(cluster.port(0),
                           "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: bad id\r\n"
                           "Connection: close\r\n\r\n",
                           has_body);
  EXPECT_EQ(header_value(made, "X-Request-Id").size(), 15U) << made;
  EXPECT_TRUE(std::ranges::all_of(header_value(made, "X-Request-Id"), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  })) << made;
}

TEST_P(ObserveBothModes, EventFeedIsAuthenticatedAndFollowsTheSale) {
  SeckillCluster cluster(1, {}, GetParam());
  auto client = cluster.client(0);
  const std::string voucher = create_voucher(client, 5);
  ASSERT_EQ(client.request("POST", "/api/v1/vouchers/" + voucher + "/orders", token_for(7)).status,
            201);
  ASSERT_EQ(client.request("POST", "/api/v1/vouchers/" + voucher + "/orders", token_for(7)).status,
            409);

  EXPECT_EQ(client.request("GET", "/api/v1/events").status, 401);
  EXPECT_EQ(client.request("GET", "/api/v1/events?access_token=forged").status, 401);
  EXPECT_EQ(client.request("GET", "/api/v1/events?voucher=x", token_for(1, "staff")).status, 400);

  auto two_ticks = [](const std::string& t) {
    auto first = t.find("event: tick\ndata: ");
    return first != std::string::npos &&
           t.find("\n\n", t.find("event: tick\ndata: ", first + 1)) != std::string::npos;
  };
  auto stream =
      raw_exchange(cluster.port(0),
                   "GET /api/v1/events?interval_ms=1000&voucher=" + voucher +
                       "&access_token=" + token_for(1, "staff") + " HTTP/1.1\r\nHost: x\r\n\r\n",
                   two_ticks);
  ASSERT_NE(stream.find("HTTP/1.1 200 OK\r\n"), std::string::npos) << stream;
  EXPECT_NE(stream.find("Content-Type: text/event-stream\r\n"), std::string::npos);
  EXPECT_EQ(stream.find("Content-Length"), std::string::npos);
  ASSERT_TRUE(two_ticks(stream)) << stream;
  auto at = stream.find("event: tick\ndata: ") + 18;
  auto tick = boost::json::parse(stream.substr(at, stream.find('\n', at) - at)).as_object();
  const auto& v = tick.at("voucher").as_object();
  EXPECT_EQ(v.at("id").as_string(), voucher);
  EXPECT_EQ(v.at("stock_left").as_int64(), 4);
  EXPECT_EQ(v.at("orders_taken").as_int64(), 1);
  EXPECT_EQ(v.at("refusals").at("already_ordered").as_int64(), 1);
  EXPECT_TRUE(tick.at("reminders").is_object());  // staff sees the queue

  // A user's feed has no queue.
  auto user_stream = raw_exchange(
      cluster.port(0),
      "GET /api/v1/events?interval_ms=1000 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
          token_for(9) + "\r\n\r\n",
      [](const std::string& t) { return t.find("}\n\n") != std::string::npos; });
  EXPECT_NE(user_stream.find("\"reminders\":null"), std::string::npos) << user_stream;

  // The dashboard page itself is served, with its script.
  auto page = client.request("GET", "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("/dashboard/app.js"), std::string::npos);
  EXPECT_EQ(client.request("GET", "/dashboard/app.js").status, 200);
}

TEST_P(ObserveBothModes, EventIntervalIsBounded) {
  SeckillCluster cluster(1, {}, GetParam());
  const auto token = token_for(11, "staff");
  for (const char* bad : {"200", "999", "10001", "-5", "1e3"}) {
    // Raw, bounded: a server that accepts the value answers with an endless stream.
    auto a = seckill::testing::raw_exchange(
        cluster.port(0), std::string("GET /api/v1/events?interval_ms=") + bad +
                             " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n");
    EXPECT_EQ(a.status, 400) << bad << " " << a.head;
    EXPECT_NE(a.body.find("interval_ms must be an integer from 1000 to 10000"), std::string::npos)
        << a.body;
  }
  OpenStream least(cluster.port(0), "/api/v1/events?interval_ms=1000&access_token=" + token);
  EXPECT_EQ(least.status(), 200) << least.text();
}

TEST_P(ObserveBothModes, EventStreamsAreCappedPerUserAndPerAddress) {
  SeckillCluster cluster(1, {}, GetParam());
  auto target = [](std::uint64_t user) { return "/api/v1/events?access_token=" + token_for(user); };
  // Four streams of one user at once (from four addresses); the fifth is refused.
  std::vector<std::unique_ptr<OpenStream>> mine;
  for (int i = 0; i < 4; ++i) {
    mine.push_back(std::make_unique<OpenStream>(cluster.port(0), target(21),
                                                "127.0.21." + std::to_string(i + 1)));
    ASSERT_EQ(mine.back()->status(), 200) << i << mine.back()->text();
  }
  auto fifth = seckill::testing::raw_exchange(cluster.port(0),
                                              "GET " + target(21) + " HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(fifth.status, 429) << fifth.head;
  EXPECT_NE(fifth.head.find("Retry-After: "), std::string::npos) << fifth.head;
  EXPECT_NE(fifth.body.find("\"rate_limited\""), std::string::npos) << fifth.body;
  // Another user is not affected; once one of the four is closed, the user may open one again.
  OpenStream other(cluster.port(0), target(22));
  EXPECT_EQ(other.status(), 200);
  mine.pop_back();
  bool reopened = false;
  for (int i = 0; i < 50 && !reopened; ++i) {
    OpenStream again(cluster.port(0), target(21));
    reopened = again.status() == 200;
    if (!reopened) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(reopened);
  mine.clear();

  // 32 streams from one address (of 32 users); the 33rd is refused, another address is not.
  const std::string source = "127.0.33.1";
  std::vector<std::unique_ptr<OpenStream>> crowd;
  for (std::uint64_t user = 100; user < 132; ++user) {
    crowd.push_back(std::make_unique<OpenStream>(cluster.port(0), target(user), source));
    ASSERT_EQ(crowd.back()->status(), 200) << user << crowd.back()->text();
  }
  RawOptions from;
  from.source = source;
  auto over = seckill::testing::raw_exchange(
      cluster.port(0), "GET " + target(200) + " HTTP/1.1\r\nHost: x\r\n\r\n", from);
  EXPECT_EQ(over.status, 429) << over.head;
  EXPECT_NE(over.body.find("this address"), std::string::npos) << over.body;
  OpenStream elsewhere(cluster.port(0), target(200), "127.0.34.1");
  EXPECT_EQ(elsewhere.status(), 200);
}

TEST_P(ObserveBothModes, EventStreamEndsWhenItsTokenExpires) {
  SeckillCluster cluster(1, {}, GetParam());
  seckill::auth::TokenSigner signer(kTestJwtSecret);
  const auto token = signer.sign(31, seckill::auth::Role::staff, std::chrono::seconds(2));
  OpenStream stream(cluster.port(0), "/api/v1/events?access_token=" + token);
  ASSERT_EQ(stream.status(), 200) << stream.text();
  // Bounded wait: the token lives 2 s; the stream must end by itself, well before this.
  stream.read_until([](const std::string&) { return false; }, 20s);
  EXPECT_TRUE(stream.closed()) << stream.text();
  EXPECT_NE(stream.text().find("event: expired\ndata: {\"message\":\"token has expired\"}"),
            std::string::npos)
      << stream.text();
  // The same token now opens nothing.
  auto client = cluster.client(0);
  EXPECT_EQ(client.request("GET", "/api/v1/events?access_token=" + token).status, 401);
}

TEST_P(ObserveBothModes, EventStreamsGoThroughTheRateLimits) {
  SeckillCluster cluster(1, {"--rate-limit-ip", "3/m", "--rate-limit-user", "2/m"}, GetParam());
  auto request = [](const std::string& token) {
    return "GET /api/v1/events?access_token=" + token + " HTTP/1.1\r\nHost: x\r\n\r\n";
  };
  // The distributed limiter's buckets live in the run's shared Redis: fresh users and addresses.
  std::random_device rd;
  const std::uint64_t user = 7'000'000 + rd() % 1'000'000'000;
  auto address = [&rd] {
    return "127." + std::to_string(1 + rd() % 250) + "." + std::to_string(rd() % 250) + "." +
           std::to_string(1 + rd() % 250);
  };
  // Per user: two streams pass, the third is refused (each from its own address).
  RawOptions a, b, c;
  a.source = address();
  b.source = address();
  c.source = address();
  EXPECT_EQ(seckill::testing::raw_exchange(cluster.port(0), request(token_for(user)), a).status,
            200);
  EXPECT_EQ(seckill::testing::raw_exchange(cluster.port(0), request(token_for(user)), b).status,
            200);
  auto by_user = seckill::testing::raw_exchange(cluster.port(0), request(token_for(user)), c);
  EXPECT_EQ(by_user.status, 429) << by_user.head;
  EXPECT_NE(by_user.body.find("this user"), std::string::npos) << by_user.body;
  EXPECT_NE(by_user.head.find("Retry-After: "), std::string::npos) << by_user.head;
  // Per address, before the token is read: three from one address pass the limiter, the fourth
  // is refused, even with a forged token.
  RawOptions d;
  d.source = address();
  EXPECT_EQ(seckill::testing::raw_exchange(cluster.port(0), request(token_for(user + 1)), d).status,
            200);
  EXPECT_EQ(seckill::testing::raw_exchange(cluster.port(0), request("forged"), d).status, 401);
  EXPECT_EQ(seckill::testing::raw_exchange(cluster.port(0), request(token_for(user + 2)), d).status,
            200);
  auto by_address = seckill::testing::raw_exchange(cluster.port(0), request("forged"), d);
  EXPECT_EQ(by_address.status, 429) << by_address.head;
  EXPECT_NE(by_address.body.find("this address"), std::string::npos) << by_address.body;
}

TEST_P(ObserveBothModes, ScrapesReadTheStoreAtMostOncePerSecond) {
  SeckillCluster cluster(1, {}, GetParam());
  auto client = cluster.client(0);
  // A voucher on sale and a reminder in the queue: a refresh of the figures reads both.
  const std::string voucher = create_voucher(client, 5);
  ASSERT_EQ(client.request("POST", "/api/v1/vouchers/" + voucher + "/orders", token_for(51)).status,
            201);
  ASSERT_EQ(client.request("POST", "/api/v1/tickets/OBS-CHEAP/reminders", token_for(51)).status,
            201);
  const std::string series = std::string("seckill_backend_call_duration_seconds_count{backend=\"") +
                             (GetParam() == Mode::embedded ? "sqlite" : "postgres") + "\"}";
  auto store_calls = [&] {
    auto m = client.request("GET", "/metrics");
    EXPECT_EQ(m.status, 200);
    return sample("\n" + m.body, series);
  };
  std::this_thread::sleep_for(1500ms);  // the writers settle; the figures are older than 1 s
  const double before = store_calls();  // refreshes (its own count is read before)
  const double refresh = store_calls() - before;
  ASSERT_GE(refresh, 1) << "a refresh reads the store";
  const auto started = std::chrono::steady_clock::now();
  const double first = before + refresh;
  double last = first;
  for (int i = 0; i < 40; ++i)
    last = store_calls();
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count();
  // At most one refresh per second (and one more at each end), whatever the number of scrapes;
  // a little room for the writers' own calls.
  EXPECT_LE(last - first, refresh * static_cast<double>(seconds + 2) + 4)
      << "40 scrapes in " << seconds << " s, " << refresh << " store calls per refresh";
}

/// promtool from PATH (Debian's `prometheus` package, which scripts/deps installs), or "".
std::string promtool() {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    auto end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    auto candidate = std::filesystem::path(dirs.substr(start, end - start)) / "promtool";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  return {};
}

TEST_P(ObserveBothModes, PromtoolAcceptsALiveScrapeAfterASale) {
  const std::string tool = promtool();
  if (tool.empty()) GTEST_SKIP() << "promtool is absent (scripts/deps test installs prometheus)";
  SeckillCluster cluster(1, {}, GetParam());
  auto client = cluster.client(0);
  const std::string voucher = create_voucher(client, 2);
  for (std::uint64_t user = 61; user < 65; ++user)
    client.request("POST", "/api/v1/vouchers/" + voucher + "/orders", token_for(user));
  client.request("POST", "/api/v1/vouchers/" + voucher + "/orders", token_for(61));
  ASSERT_EQ(client.request("POST", "/api/v1/tickets/OBS-PROM/reminders", token_for(61)).status,
            201);
  ASSERT_EQ(client.request("GET", "/healthz").status, 200);
  std::this_thread::sleep_for(1200ms);  // the writers store; the cached figures are refreshed
  auto scrape = client.request("GET", "/metrics");
  ASSERT_EQ(scrape.status, 200);
  ASSERT_NE(scrape.body.find("seckill_voucher_stock_left{"), std::string::npos) << scrape.body;
  ASSERT_NE(scrape.body.find("seckill_order_refusals_total{"), std::string::npos) << scrape.body;

  char dir[] = "/tmp/seckill-promtool-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string input = std::string(dir) + "/scrape.txt", log = std::string(dir) + "/out";
  std::ofstream(input) << scrape.body;
  ChildProcess check({"/bin/sh", "-c", "exec \"$0\" check metrics < \"$1\"", tool, input}, log);
  const int status = check.wait(std::chrono::seconds(60));
  std::ifstream in(log);
  const std::string said((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << said << "\n" << scrape.body;
  EXPECT_EQ(said, "") << scrape.body;
  std::filesystem::remove_all(dir);
}

TEST(MetricsListen, MetricsAndHealthzOnTheirOwnListenerOnly) {
  const auto metrics_port = free_port();
  SeckillCluster cluster(1, {"--metrics-listen", "127.0.0.1:" + std::to_string(metrics_port)},
                         Mode::embedded);
  auto api = cluster.client(0);
  HttpClient metrics("127.0.0.1", metrics_port);
  EXPECT_EQ(api.request("GET", "/metrics").status, 404);
  EXPECT_EQ(api.request("GET", "/api/v1/vouchers/1", token_for(1)).status, 404);
  auto scrape = metrics.request("GET", "/metrics");
  ASSERT_EQ(scrape.status, 200);
  // It counts what the main listener answered.
  EXPECT_NE(scrape.body.find("seckill_http_requests_total{method=\"GET\",route=\"/api/v1/"
                             "vouchers/{id:u64}\",status=\"404\"} 1"),
            std::string::npos)
      << scrape.body;
  EXPECT_EQ(metrics.request("GET", "/healthz").status, 200);
  EXPECT_EQ(metrics.request("GET", "/api/v1/vouchers/1", token_for(1)).status, 404);
  EXPECT_EQ(metrics.request("GET", "/", token_for(1)).status, 404);
  EXPECT_EQ(metrics.request("GET", "/api/v1/events", token_for(1)).status, 404);
}

TEST(MetricsListen, WithoutTheFlagMetricsStayOnTheMainListener) {
  SeckillCluster cluster(1, {}, Mode::embedded);
  EXPECT_EQ(cluster.client(0).request("GET", "/metrics").status, 200);
}

}  // namespace
