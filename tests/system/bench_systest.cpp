// `seckill bench` and `seckill demo` as a user runs them: the real binary against real
// `seckill serve` processes, its JSON report read back and its counts checked against the sale's
// rules (exactly the stock sold, everyone else told sold_out). Short runs: correctness of the
// counting, not speed (benchmarks are never tests).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

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

/// The first line of `output` that starts with `prefix`, without it ("" if none).
std::string line_after(const std::string& output, const std::string& prefix) {
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with(prefix)) return line.substr(prefix.size());
  }
  return {};
}

/// The count after `key` ("201", "sold_out") on the first line starting with `prefix`
/// ("status", "codes") of a text report (loadgen::to_text: "status 201: 75 409: 525").
long long text_count(const std::string& output, const std::string& prefix, const std::string& key) {
  std::istringstream words(line_after(output, prefix + " "));
  std::string word;
  while (words >> word) {
    if (word == key + ":") {
      long long n = -1;
      words >> n;
      return n;
    }
  }
  return 0;
}

/// The ports a demo said it used: Redis, PostgreSQL (distributed) and every instance.
std::vector<unsigned short> demo_ports(const std::string& output) {
  std::vector<unsigned short> ports;
  std::istringstream services(line_after(output, "redis "));
  std::string word;
  while (services >> word) {
    auto colon = word.rfind(':');
    if (colon == std::string::npos) continue;
    auto port = word.substr(colon + 1);
    port = port.substr(0, port.find('/'));
    if (!port.empty() && std::isdigit(static_cast<unsigned char>(port.front())))
      ports.push_back(static_cast<unsigned short>(std::stoi(port)));
  }
  std::istringstream instances(output.substr(output.find("instance(s) on ports") + 20));
  std::getline(instances, word);
  std::istringstream numbers(word);
  int port = 0;
  while (numbers >> port)
    ports.push_back(static_cast<unsigned short>(port));
  return ports;
}

bool something_listens_on(unsigned short port) {
  try {
    wait_for_port(port, 0ms);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

/// Processes whose command line mentions `text`.
std::vector<std::string> processes_mentioning(const std::string& text) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name.front()))) continue;
    auto cmdline = read_file(entry.path().string() + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(text) != std::string::npos) found.push_back(name + ": " + cmdline);
  }
  return found;
}

/// What a demo run must leave behind: nothing. Its temporary directory is gone, no process it
/// started still runs, nothing listens on a port it used.
void expect_demo_left_nothing(const std::string& output) {
  const auto mode = line_after(output, "mode: ");
  const auto in = mode.rfind(" in ");
  ASSERT_NE(in, std::string::npos) << output;
  auto dir = mode.substr(in + 4);
  if (dir.ends_with(")")) dir.pop_back();
  if (auto colon = dir.find(':'); colon != std::string::npos) dir = dir.substr(0, colon);
  ASSERT_TRUE(dir.starts_with("/")) << mode;
  EXPECT_FALSE(std::filesystem::exists(dir)) << "the demo left " << dir;
  for (const auto& p : processes_mentioning(dir))
    ADD_FAILURE() << "a process of the demo still runs: " << p;
  const auto ports = demo_ports(output);
  EXPECT_FALSE(ports.empty()) << output;
  for (auto port : ports) {
    EXPECT_FALSE(something_listens_on(port)) << "port " << port << " is still in use";
    for (const auto& p : processes_mentioning(fmt::format("127.0.0.1:{}", port)))
      ADD_FAILURE() << "a process of the demo still runs: " << p;
  }
}

/// The first cell of `sql` on PostgreSQL at `url` ("" if no row); throws if it cannot ask.
std::string pg_value(const std::string& url, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) throw std::runtime_error("cannot reach " + url);
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_TUPLES_OK)
    throw std::runtime_error(std::string("SQL failed: ") + PQerrorMessage(conn.get()));
  return PQntuples(res.get()) == 0 ? std::string() : std::string(PQgetvalue(res.get(), 0, 0));
}

/// Waits until `path` contains `text`, or `timeout`, or `process` ends; true if it does.
bool wait_for_log(const std::string& path, const std::string& text, ChildProcess& process,
                  std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_file(path).find(text) != std::string::npos) return true;
    if (!process.running()) return false;
    std::this_thread::sleep_for(5ms);
  }
  return false;
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
  // 2000 req/s for 1 s: each of the 8 connections sends at its own fixed times (250 slots in
  // the second, src/loadgen/http_load.cpp), never earlier, and none after the end: at most 2000.
  // How many of the slots were met depends on the machine (a CI box shared with builds met 990),
  // so the lower bound only says that the run happened.
  EXPECT_GT(requests, 0u);
  EXPECT_LE(requests, 2000u) << "the open loop sent faster than its rate";
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
  constexpr long long kUsers = 2000, kStock = 100;
  const auto log = fmt::format("/tmp/seckill-demo-systest-{}.log", getpid());
  std::filesystem::remove(log);
  int status = -1;
  {
    ChildProcess demo({seckill_binary(), "demo", "--users", std::to_string(kUsers), "--stock",
                       std::to_string(kStock), "--reminder-users", "300", "--instances", "2",
                       "--connections", "16"},
                      log);
    // The sale is over once the reminder storm starts (the line is flushed): the demo is held
    // there while the test reads its PostgreSQL, then let go.
    ASSERT_TRUE(wait_for_log(log, "== the reminder storm", demo, 200s)) << read_file(log);
    demo.pause();
    const auto output = read_file(log);
    const auto postgres = line_after(output, "redis ");
    ASSERT_NE(postgres.find("postgresql://"), std::string::npos) << output;
    const auto url = postgres.substr(postgres.find("postgresql://"));
    const auto voucher_line = line_after(output, "voucher ");
    const auto voucher = voucher_line.substr(0, voucher_line.find(' '));
    ASSERT_FALSE(voucher.empty()) << output;
    const auto orders = fmt::format("from orders where voucher_id = {}", voucher);
    std::string stored;
    for (int i = 0; i < 300 && stored != std::to_string(kStock); ++i) {
      stored = pg_value(url, "select count(*) " + orders);
      if (stored != std::to_string(kStock)) std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(stored, std::to_string(kStock)) << "exactly the stock in the store";
    EXPECT_EQ(pg_value(url, "select count(distinct user_id) " + orders), std::to_string(kStock));
    EXPECT_EQ(pg_value(url, fmt::format("select stock_left from vouchers where id = {}", voucher)),
              "0");
    demo.resume();
    status = demo.wait(200s);
  }
  const auto output = read_file(log);
  std::filesystem::remove(log);
  EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0) << output;
  // The load generator's own count of the answers, not the demo's verdict.
  EXPECT_EQ(text_count(output, "status", "201"), kStock) << output;
  EXPECT_EQ(text_count(output, "codes", "sold_out"), kUsers - kStock) << output;
  EXPECT_EQ(output.find("[FAIL]"), std::string::npos) << output;
  expect_demo_left_nothing(output);
}

TEST(DemoSystem, EmbeddedDemoSaysSoAndLeavesNothing) {
  auto ran = run_seckill({"demo", "--embedded", "--users", "500", "--stock", "20",
                          "--reminder-users", "50", "--connections", "8"},
                         120s);
  EXPECT_EQ(WIFEXITED(ran.status) ? WEXITSTATUS(ran.status) : -1, 0) << ran.output;
  EXPECT_NE(ran.output.find("mode: embedded"), std::string::npos) << ran.output;
  EXPECT_EQ(text_count(ran.output, "status", "201"), 20) << ran.output;
  EXPECT_EQ(text_count(ran.output, "codes", "sold_out"), 480) << ran.output;
  EXPECT_EQ(ran.output.find("[FAIL]"), std::string::npos) << ran.output;
  expect_demo_left_nothing(ran.output);
}
