// `seckill bench` and `seckill demo` as a user runs them: the real binary against real
// `seckill serve` processes, its JSON report read back and its counts checked against the sale's
// rules (exactly the stock sold, everyone else told sold_out). Short runs: correctness of the
// counting, not speed (benchmarks are never tests).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "support/test_env.hpp"
#include "system/seckill_cluster.hpp"

using namespace seckill::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Ran {
  int status = -1;
  std::string output;
};

/// Runs `seckill <args>` to its end (bounded), stdout and stderr in one file.
Ran run_seckill(std::vector<std::string> args, std::chrono::seconds timeout) {
  const auto log = fmt::format("/tmp/seckill-bench-systest-{}-{}.log", getpid(),
                               std::chrono::steady_clock::now().time_since_epoch().count());
  args.insert(args.begin(), seckill_binary());
  Ran ran;
  {
    ChildProcess p(args, log);
    ran.status = p.wait(timeout);
  }
  ran.output = read_file(log);
  std::filesystem::remove(log);
  return ran;
}

/// The last line of the output that is a JSON object (the report; progress lines are text).
json::object report_of(const std::string& output) {
  std::istringstream lines(output);
  std::string line, last;
  while (std::getline(lines, line)) {
    if (line.starts_with("{")) last = line;
  }
  return json::parse(last).as_object();
}

std::uint64_t count_in(const json::object& report, const char* table, const char* key) {
  const auto& t = report.at(table).as_object();
  const auto* v = t.if_contains(key);
  return v == nullptr ? 0 : v->to_number<std::uint64_t>();
}

std::string targets_of(SeckillCluster& cluster) {
  std::string out;
  for (int i = 0; i < cluster.size(); ++i)
    out += fmt::format("{}127.0.0.1:{}", i == 0 ? "" : ",", cluster.port(i));
  return out;
}

}  // namespace

TEST(BenchSystem, SaleOverTwoInstancesCountsExactlyTheStock) {
  SeckillCluster cluster(2);
  const auto html = fmt::format("/tmp/seckill-bench-systest-{}.html", getpid());
  auto ran = run_seckill({"bench", "--scenario", "sale", "--target", targets_of(cluster), "--users",
                          "600", "--stock", "75", "--connections", "16", "--duration", "60s",
                          "--jwt-secret", kTestJwtSecret, "--json", "--html", html},
                         90s);
  ASSERT_EQ(WIFEXITED(ran.status) ? WEXITSTATUS(ran.status) : -1, 0) << ran.output;
  auto report = report_of(ran.output);
  EXPECT_EQ(report.at("scenario").as_string(), "sale");
  EXPECT_EQ(report.at("requests").to_number<std::uint64_t>(), 600u);
  EXPECT_EQ(report.at("transport_errors").to_number<std::uint64_t>(), 0u);
  EXPECT_EQ(count_in(report, "status", "201"), 75u);
  EXPECT_EQ(count_in(report, "status", "409"), 525u);
  EXPECT_EQ(count_in(report, "codes", "sold_out"), 525u);
  EXPECT_EQ(report.at("stock_left_after").to_number<std::int64_t>(), 0);
  EXPECT_GT(report.at("latency_ms").as_object().at("p50").to_number<double>(), 0);
  EXPECT_GE(report.at("latency_ms").as_object().at("max").to_number<double>(),
            report.at("latency_ms").as_object().at("p99").to_number<double>());
  // The orders reached the store: exactly the stock, each user once.
  const auto voucher = std::string(report.at("voucher").as_string());
  EXPECT_EQ(
      cluster.wait_for_store(
          fmt::format("select count(distinct user_id) from orders where voucher_id = {}", voucher),
          "75", 30),
      "75");
  const auto page = read_file(html);
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_NE(page.find("Throughput over time"), std::string::npos);
  std::filesystem::remove(html);
  EXPECT_EQ(SeckillCluster::check(), 0);
}

TEST(BenchSystem, HealthzOpenLoopAndRemindersCount) {
  SeckillCluster cluster(1);
  const auto target = targets_of(cluster);
  auto health = run_seckill({"bench", "--scenario", "healthz", "--target", target, "--duration",
                             "1s", "--rate", "2000", "--connections", "8", "--json", "--quiet"},
                            30s);
  ASSERT_EQ(WIFEXITED(health.status) ? WEXITSTATUS(health.status) : -1, 0) << health.output;
  auto h = report_of(health.output);
  EXPECT_EQ(h.at("mode").as_string(), "open");
  const auto requests = h.at("requests").to_number<std::uint64_t>();
  // At most ~2000 in one second at the fixed rate: the open loop never sends faster. How many
  // below that were answered depends on the machine (a CI box shared with builds answered 990),
  // so the lower bound only says that the run happened.
  EXPECT_GT(requests, 100u);
  EXPECT_LT(requests, 2600u);
  EXPECT_EQ(count_in(h, "status", "200"), requests);

  auto remind =
      run_seckill({"bench", "--scenario", "remind-new", "--target", target, "--users", "300",
                   "--duration", "60s", "--jwt-secret", kTestJwtSecret, "--json", "--quiet"},
                  90s);
  ASSERT_EQ(WIFEXITED(remind.status) ? WEXITSTATUS(remind.status) : -1, 0) << remind.output;
  auto r = report_of(remind.output);
  EXPECT_EQ(count_in(r, "status", "201"), 300u);

  auto repeat =
      run_seckill({"bench", "--scenario", "remind-repeat", "--target", target, "--duration", "1s",
                   "--jwt-secret", kTestJwtSecret, "--json", "--quiet"},
                  30s);
  ASSERT_EQ(WIFEXITED(repeat.status) ? WEXITSTATUS(repeat.status) : -1, 0) << repeat.output;
  auto rr = report_of(repeat.output);
  const auto n = rr.at("requests").to_number<std::uint64_t>();
  EXPECT_EQ(count_in(rr, "status", "201"), 1u);
  EXPECT_EQ(count_in(rr, "codes", "already_reminded"), n - 1);
}

TEST(BenchSystem, BadSecretIsRefusedAtSetup) {
  SeckillCluster cluster(1);
  auto ran =
      run_seckill({"bench", "--scenario", "sale", "--target", targets_of(cluster), "--users", "10",
                   "--jwt-secret", "not-the-servers-secret-but-as-long-as-one", "--quiet"},
                  30s);
  EXPECT_EQ(WIFEXITED(ran.status) ? WEXITSTATUS(ran.status) : -1, 1) << ran.output;
  EXPECT_NE(ran.output.find("--jwt-secret"), std::string::npos) << ran.output;
}

TEST(DemoSystem, ScaledDownDemoHoldsEveryInvariantAndLeavesNothing) {
  auto ran = run_seckill({"demo", "--users", "2000", "--stock", "100", "--reminder-users", "300",
                          "--instances", "2", "--connections", "16"},
                         240s);
  EXPECT_EQ(WIFEXITED(ran.status) ? WEXITSTATUS(ran.status) : -1, 0) << ran.output;
  EXPECT_NE(ran.output.find("every invariant holds"), std::string::npos) << ran.output;
  EXPECT_NE(ran.output.find("coordinator and store agree"), std::string::npos) << ran.output;
}

TEST(DemoSystem, EmbeddedDemoSaysSo) {
  auto ran = run_seckill({"demo", "--embedded", "--users", "500", "--stock", "20",
                          "--reminder-users", "50", "--connections", "8"},
                         120s);
  EXPECT_EQ(WIFEXITED(ran.status) ? WEXITSTATUS(ran.status) : -1, 0) << ran.output;
  EXPECT_NE(ran.output.find("mode: embedded"), std::string::npos) << ran.output;
  EXPECT_NE(ran.output.find("every invariant holds"), std::string::npos) << ran.output;
}
