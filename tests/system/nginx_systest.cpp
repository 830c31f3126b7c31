// Three `seckill serve` instances behind Debian's nginx, run with the shipped configuration
// (deploy/nginx/seckill.conf, only its ports and log path changed): a sale through it keeps
// the invariants, and the per-address rate limit applies to the client that X-Forwarded-For
// names (--trusted-proxies), not to nginx's address.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/json/parse.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "support/child_process.hpp"
#include "support/test_env.hpp"
#include "system/raw_exchange.hpp"
#include "system/seckill_cluster.hpp"

using namespace seckill::testing;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Replaces the one occurrence of `from` in `text`; fails the test if there is not exactly one
/// (the shipped file changed shape: the test must follow it).
void replace_once(std::string& text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << "deploy/nginx/seckill.conf has no '" << from << "'";
  ASSERT_EQ(text.find(from, at + 1), std::string::npos) << "'" << from << "' twice";
  text.replace(at, from.size(), to);
}

/// nginx on a free loopback port with the shipped configuration in front of `cluster`.
class Nginx {
 public:
  explicit Nginx(const SeckillCluster& cluster) {
    dir_ = fs::temp_directory_path() / fmt::format("seckill-nginx-{}-{}", getpid(), free_port());
    fs::create_directories(dir_ / "logs");
    port_ = free_port();
    std::string site = read_file("deploy/nginx/seckill.conf");
    EXPECT_FALSE(site.empty()) << "run from the source tree";
    for (int i = 0; i < 3; ++i) {
      replace_once(site, fmt::format("server 127.0.0.1:{} ", 8081 + i),
                   fmt::format("server 127.0.0.1:{} ", cluster.port(i)));
    }
    replace_once(site, "listen 80;", fmt::format("listen 127.0.0.1:{};", port_));
    replace_once(site, "/var/log/nginx/seckill.access.log", (dir_ / "logs/access.log").string());
    std::ofstream(dir_ / "seckill.conf") << site;
    // The main file Debian's nginx.conf would be, with everything under the test's directory.
    const std::string d = dir_.string();
    std::ofstream(dir_ / "nginx.conf")
        << (geteuid() == 0 ? "user root;\n" : "") << "worker_processes 1;\n"
        << "error_log " << d << "/logs/error.log;\n"
        << "events { worker_connections 1024; }\n"
        << "http {\n"
        << "  client_body_temp_path " << d << "/body; proxy_temp_path " << d << "/proxy;\n"
        << "  fastcgi_temp_path " << d << "/fcgi; uwsgi_temp_path " << d << "/uwsgi;\n"
        << "  scgi_temp_path " << d << "/scgi;\n"
        << "  include " << d << "/seckill.conf;\n"
        << "}\n";
    const std::string binary = fs::exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{binary, "-p", d, "-c", d + "/nginx.conf", "-g",
                                 "daemon off; pid " + d + "/nginx.pid;"},
        d + "/logs/stderr.log");
    wait_for_port(port_);
  }
  ~Nginx() {
    if (process_) process_->stop(SIGTERM, std::chrono::seconds(5));
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  unsigned short port() const { return port_; }

 private:
  fs::path dir_;
  unsigned short port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

std::string order_request(const std::string& voucher, std::uint64_t user,
                          const std::string& forwarded_for) {
  return fmt::format(
      "POST /api/v1/vouchers/{}/orders HTTP/1.1\r\nHost: shop.example\r\n"
      "Authorization: Bearer {}\r\n{}Content-Length: 0\r\nConnection: close\r\n\r\n",
      voucher, token_for(user),
      forwarded_for.empty() ? "" : "X-Forwarded-For: " + forwarded_for + "\r\n");
}

std::string error_code(const RawAnswer& answer) {
  boost::system::error_code ec;
  auto v = boost::json::parse(answer.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("error")) return {};
  return std::string(v.at("error").at("code").as_string());
}

TEST(NginxSystest, SaleAndPerClientRateLimitThroughTheShippedConfig) {
  if (!fs::exists("/usr/sbin/nginx")) {
    FAIL() << "nginx is not installed: scripts/deps test installs it";
  }
  SeckillCluster cluster(3, {"--trusted-proxies", "127.0.0.1/32", "--rate-limit-ip", "5/s:5"});
  Nginx nginx(cluster);
  HttpClient admin("127.0.0.1", nginx.port());
  constexpr int kStock = 40, kUsers = 160;
  const std::string voucher = create_voucher(admin, kStock);

  // Every buyer behind its own address, each trying twice: 320 requests that nginx sends from
  // one address, but no client over its 5 per second.
  std::mutex mutex;
  std::map<std::string, std::uint64_t> orders;
  std::map<int, int> statuses;
  std::map<std::string, int> codes;
  std::atomic<int> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 16; ++t) {
    workers.emplace_back([&] {
      for (int n; (n = next.fetch_add(1)) < kUsers * 2;) {
        const auto user = static_cast<std::uint64_t>(500'000 + n % kUsers);
        const std::string address = fmt::format("198.51.100.{}", 1 + n % kUsers);
        auto answer = raw_exchange(nginx.port(), order_request(voucher, user, address));
        std::lock_guard lock(mutex);
        statuses[answer.status]++;
        if (answer.status == 201) {
          orders[std::string(boost::json::parse(answer.body).at("order_id").as_string())] = user;
        } else {
          codes[error_code(answer)]++;
        }
      }
    });
  }
  for (auto& w : workers)
    w.join();
  EXPECT_EQ(statuses[429], 0) << "distinct X-Forwarded-For clients were limited together";
  EXPECT_EQ(statuses[201], kStock);
  EXPECT_EQ(statuses[409], 2 * kUsers - kStock);
  EXPECT_EQ(codes["sold_out"] + codes["already_ordered"], 2 * kUsers - kStock);
  std::set<std::uint64_t> buyers;
  for (const auto& [id, user] : orders)
    buyers.insert(user);
  EXPECT_EQ(buyers.size(), static_cast<std::size_t>(kStock)) << "one order per user";

  // The store agrees once the writers have drained: exactly the stock sold, one per user.
  EXPECT_EQ(cluster.wait_for_store(
                fmt::format("select count(*) from orders where voucher_id = {}", voucher),
                std::to_string(kStock), 60),
            std::to_string(kStock));
  EXPECT_EQ(cluster.store_value(fmt::format(
                "select count(distinct user_id) from orders where voucher_id = {}", voucher)),
            std::to_string(kStock));
  EXPECT_EQ(
      cluster.store_value(fmt::format("select stock_left from vouchers where id = {}", voucher)),
      "0");

  // One client address is limited, whichever instance nginx picks: of requests sent at once,
  // no more pass than its burst plus what the rate refills while they run.
  auto limited_run = [&](std::uint64_t first_user, const std::string& address,
                         const RawOptions& options, int& passed, double& seconds) {
    std::atomic<int> ok{0}, i{0};
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> senders;
    for (int t = 0; t < 8; ++t) {
      senders.emplace_back([&] {
        for (int n; (n = i.fetch_add(1)) < 40;) {
          const std::string forwarded =
              address.empty() ? fmt::format("192.0.2.{}", 1 + n) : address;
          auto answer = raw_exchange(
              nginx.port(),
              order_request(voucher, first_user + static_cast<std::uint64_t>(n), forwarded),
              options);
          if (answer.status != 429 && answer.status != 0) ++ok;
        }
      });
    }
    for (auto& s : senders)
      s.join();
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    passed = ok.load();
  };
  int passed = 0;
  double seconds = 0;
  limited_run(900'000, "203.0.113.77", RawOptions{}, passed, seconds);
  EXPECT_GE(passed, 5) << "its burst of 5 must pass";
  EXPECT_LE(passed, 6 + static_cast<int>(5 * seconds)) << "one client address was not limited";

  // A client that connects to nginx from an untrusted address cannot pick its own address:
  // nginx appends that address, which is the rightmost untrusted one.
  RawOptions from_elsewhere;
  from_elsewhere.source = "127.0.0.2";
  limited_run(950'000, "", from_elsewhere, passed, seconds);
  EXPECT_LE(passed, 6 + static_cast<int>(5 * seconds))
      << "forged X-Forwarded-For values escaped the limit";
  EXPECT_EQ(SeckillCluster::check(), 0);
}

}  // namespace
