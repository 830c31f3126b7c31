// A real Prometheus (Debian's `prometheus` binary) scrapes three `seckill serve` instances every
// second, with the recording rules of deploy/prometheus/seckill.rules.yml; after a sale and a
// few reminders, its HTTP API (/api/v1/query) must give the figures the sale made: orders
// taken, stock left, refusals by reason, the writers' lag and backlog, the reminder queue, p99
// latency. Skipped only when the binary is absent (scripts/deps installs it).
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include <boost/json/parse.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/test_env.hpp"
#include "system/seckill_cluster.hpp"

using namespace seckill::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr const char* kPrometheus = "/usr/bin/prometheus";

std::string url_encode(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

/// Prometheus on a loopback port, in a temporary directory, stopped by its pid.
class Prometheus {
 public:
  Prometheus(const std::string& targets, const fs::path& rules)
      : dir_(fs::temp_directory_path() / fmt::format("seckill-prometheus-{}", ::getpid())),
        port_(free_port()) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "prometheus.yml") << fmt::format(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "rule_files:\n  - {}\n"
        "scrape_configs:\n  - job_name: seckill\n    scrape_timeout: 900ms\n"
        "    static_configs:\n      - targets: [{}]\n",
        rules.string(), targets);
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{kPrometheus, "--config.file=" + (dir_ / "prometheus.yml").string(),
                                 "--storage.tsdb.path=" + (dir_ / "data").string(),
                                 fmt::format("--web.listen-address=127.0.0.1:{}", port_),
                                 "--log.level=warn"},
        (dir_ / "prometheus.log").string());
    HttpClient c("127.0.0.1", port_);
    for (int i = 0; i < 300; ++i) {
      if (c.request("GET", "/-/ready").status == 200) return;
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "prometheus not ready; see " << (dir_ / "prometheus.log");
  }
  ~Prometheus() {
    process_->stop(SIGTERM, 10s);
    fs::remove_all(dir_);
  }
  Prometheus(const Prometheus&) = delete;
  Prometheus& operator=(const Prometheus&) = delete;

  /// The value of the single series `query` gives now, or nullopt (no series, or several).
  std::optional<double> value(const std::string& query) const {
    HttpClient c("127.0.0.1", port_);
    auto answer = c.request("GET", "/api/v1/query?query=" + url_encode(query));
    if (answer.status != 200) return std::nullopt;
    auto json = answer.json();
    const auto& result = json.at("data").at("result").as_array();
    if (result.size() != 1) return std::nullopt;
    return std::stod(std::string(result[0].at("value").as_array()[1].as_string()));
  }

  /// Waits (up to 30 s: a few scrapes and rule evaluations) until `query` gives a value that
  /// `good` accepts; returns the last value seen.
  template <typename Good>
  std::optional<double> wait_for(const std::string& query, Good good) const {
    std::optional<double> v;
    for (int i = 0; i < 150; ++i) {
      v = value(query);
      if (v && good(*v)) return v;
      std::this_thread::sleep_for(200ms);
    }
    return v;
  }

 private:
  fs::path dir_;
  unsigned short port_;
  std::unique_ptr<ChildProcess> process_;
};

TEST(Prometheus, ScrapesThreeInstancesAndItsFiguresMatchTheSale) {
  if (!fs::exists(kPrometheus)) GTEST_SKIP() << kPrometheus << " absent (Debian: prometheus)";
  SeckillCluster cluster(3);
  std::string targets;
  for (int i = 0; i < cluster.size(); ++i)
    targets += fmt::format("{}'127.0.0.1:{}'", i == 0 ? "" : ", ", cluster.port(i));
  Prometheus prometheus(targets, fs::absolute("deploy/prometheus/seckill.rules.yml"));

  // The sale: 5 units; users 1..8 each order once, spread over the instances (5 taken,
  // 3 sold_out); users 1 and 2 order again (2 already_ordered).
  auto admin = cluster.client(0);
  const std::string voucher = create_voucher(admin, 5);
  const std::string orders = "/api/v1/vouchers/" + voucher + "/orders";
  int taken = 0, sold_out = 0, already = 0;
  for (std::uint64_t user = 1; user <= 8; ++user) {
    if (user == 4) {
      // Each instance has sold one: once Prometheus holds their series, the rest of the sale is
      // an increase it sees (rate() ignores a series' first value).
      auto seen =
          prometheus.wait_for("count(seckill_orders_taken_total{voucher=\"" + voucher + "\"})",
                              [](double n) { return n == 3; });
      ASSERT_EQ(seen, 3);
    }
    auto client = cluster.client(static_cast<int>(user % 3));
    auto a = client.request("POST", orders, token_for(user));
    taken += a.status == 201 ? 1 : 0;
    sold_out += a.error_code() == "sold_out" ? 1 : 0;
  }
  for (std::uint64_t user = 1; user <= 2; ++user) {
    auto a = cluster.client(static_cast<int>(user % 3)).request("POST", orders, token_for(user));
    already += a.error_code() == "already_ordered" ? 1 : 0;
  }
  ASSERT_EQ(taken, 5);
  ASSERT_EQ(sold_out, 3);
  ASSERT_EQ(already, 2);
  // Three users remind one new ticket: one open record.
  const std::string ticket = fmt::format("PROM-{}", voucher);
  for (std::uint64_t user = 101; user <= 103; ++user) {
    auto a = cluster.client(static_cast<int>(user % 3))
                 .request("POST", "/api/v1/tickets/" + ticket + "/reminders", token_for(user));
    ASSERT_EQ(a.status, 201) << a.body;
  }
  ASSERT_EQ(
      cluster.wait_for_store("select count(*) from orders where voucher_id = " + voucher, "5", 30),
      "5");

  auto eq = [](double want) { return [want](double v) { return v == want; }; };
  const std::string v = "{voucher=\"" + voucher + "\"}";
  EXPECT_EQ(prometheus.wait_for("count(up{job=\"seckill\"} == 1)", eq(3)), 3);
  EXPECT_EQ(prometheus.wait_for("sum(seckill_orders_taken_total" + v + ")", eq(5)), 5);
  EXPECT_EQ(prometheus.wait_for("voucher:seckill_orders_taken:sum" + v, eq(5)), 5);
  auto per_second = prometheus.wait_for("voucher:seckill_orders_taken:rate1m" + v,
                                        [](double r) { return r > 0; });
  EXPECT_TRUE(per_second && *per_second > 0 && *per_second < 5);
  EXPECT_EQ(prometheus.wait_for("voucher:seckill_voucher_stock_left:min" + v, eq(0)), 0);
  const std::string by_reason = "voucher_reason:seckill_order_refusals:sum{voucher=\"" + voucher;
  EXPECT_EQ(prometheus.wait_for(by_reason + "\",reason=\"sold_out\"}", eq(3)), 3);
  EXPECT_EQ(prometheus.wait_for(by_reason + "\",reason=\"already_ordered\"}", eq(2)), 2);

  // The writers: our five orders are stored (the stream is shared with other tests' instances,
  // so our writers may store theirs too: at least five, and no backlog of ours), with a lag.
  EXPECT_TRUE(prometheus.wait_for("sum(seckill_writer_entries_total{writer=\"order\"})",
                                  [](double n) { return n >= 5; }));
  auto backlog =
      prometheus.wait_for("job:seckill_order_writer_backlog:sum", [](double b) { return b <= 0; });
  EXPECT_TRUE(backlog && *backlog <= 0) << (backlog ? *backlog : -1);
  auto lag = prometheus.wait_for("writer:seckill_writer_lag_seconds:p99_1m{writer=\"order\"}",
                                 [](double s) { return s > 0; });
  EXPECT_TRUE(lag && *lag > 0 && *lag < 10) << (lag ? *lag : -1);

  // The reminder queue: what the store holds open (other tests may add records: compared with
  // the store, read again until both agree).
  std::optional<double> open;
  std::string in_store;
  for (int i = 0; i < 50; ++i) {
    open = prometheus.value("status:seckill_reminder_queue_size:min{status=\"open\"}");
    in_store = cluster.store_value("select count(*) from reminders where status = 'open'");
    if (open && *open >= 1 && *open == std::stod(in_store)) break;
    std::this_thread::sleep_for(300ms);
  }
  ASSERT_TRUE(open);
  EXPECT_GE(*open, 1);
  EXPECT_EQ(*open, std::stod(in_store));

  // p99 latency of the order route: positive and sane on loopback.
  auto p99 = prometheus.wait_for(
      "route:seckill_http_request_duration_seconds:p99_1m{method=\"POST\",route=\"/api/v1/"
      "vouchers/{id:u64}/orders\"}",
      [](double s) { return s > 0; });
  EXPECT_TRUE(p99 && *p99 > 0 && *p99 < 2) << (p99 ? *p99 : -1);
}

}  // namespace
