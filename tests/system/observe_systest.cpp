// The operations views of real `seckill serve` processes, in both modes: GET /metrics in the
// Prometheus text format with figures that match what the API answered, X-Request-Id echoed,
// and the server-sent event feed of the dashboard (GET /api/v1/events), authenticated.
#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <functional>
#include <map>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

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
                   "GET /api/v1/events?interval_ms=200&voucher=" + voucher +
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
      "GET /api/v1/events?interval_ms=200 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
          token_for(9) + "\r\n\r\n",
      [](const std::string& t) { return t.find("}\n\n") != std::string::npos; });
  EXPECT_NE(user_stream.find("\"reminders\":null"), std::string::npos) << user_stream;

  // The dashboard page itself is served, with its script.
  auto page = client.request("GET", "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("/dashboard/app.js"), std::string::npos);
  EXPECT_EQ(client.request("GET", "/dashboard/app.js").status, 200);
}

}  // namespace
