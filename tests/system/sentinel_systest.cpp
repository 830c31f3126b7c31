// A Sentinel-watched master killed (SIGKILL) in the middle of a sale, on Redis servers of the
// test's own: a master with two replicas (so that `--redis-ack-replicas 1` can still be met once
// one of them is promoted) and three sentinels, all with passwords; two `seckill serve` on
// `redis-sentinel://...#seckill` with `--redis-ack-replicas 1`, and a PostgreSQL database of the
// test's own (on the test run's server) so that `seckill check` pairs this Redis with this store.
// The sentinels promote a replica, the instances follow, the sale goes on and ends sold out, no
// 201 is lost and the store holds exactly the stock. The outage (the longest time without a 201
// after the kill) is printed; docs/scaling.md quotes it.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "redis/private_redis.hpp"
#include "support/test_env.hpp"
#include "system/seckill_cluster.hpp"

using namespace seckill::testing;
using seckill::redis::testing::PrivateRedis;
using seckill::redis::testing::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kMaster = "seckill";
constexpr const char* kPassword = "data-s3cret";
constexpr const char* kSentinelPassword = "sentinel-s3cret";

std::string shell(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(command.c_str(), "r"), &pclose);
  if (!pipe) throw std::runtime_error("popen failed: " + command);
  std::array<char, 4096> buffer{};
  while (auto n = fread(buffer.data(), 1, buffer.size(), pipe.get()))
    out.append(buffer.data(), n);
  return out;
}

long long now_ns() {
  return Clock::now().time_since_epoch().count();
}

// Sets an environment variable for as long as it lives, then puts the previous value back.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_.c_str(), old_->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

void exec_sql(const std::string& url, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error(std::string("cannot reach PostgreSQL: ") + PQerrorMessage(conn.get()));
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_COMMAND_OK)
    throw std::runtime_error(std::string("SQL failed: ") + PQerrorMessage(conn.get()));
}

// A database of its own on the test run's PostgreSQL, dropped at the end: `seckill check` audits
// every voucher of a store against one Redis.
class PrivateDatabase {
 public:
  PrivateDatabase() : name_(fmt::format("seckill_sentinel_{}", ::getpid())) {
    const auto base = postgres_url();
    exec_sql(base, fmt::format("drop database if exists {} with (force)", name_));
    exec_sql(base, fmt::format("create database {}", name_));
    url_ = base.substr(0, base.rfind('/') + 1) + name_;
  }
  ~PrivateDatabase() {
    try {
      exec_sql(postgres_url(), fmt::format("drop database if exists {} with (force)", name_));
    } catch (const std::exception&) {
      // Left behind in the run's temporary PostgreSQL, which goes away with the run.
    }
  }
  const std::string& url() const { return url_; }

 private:
  std::string name_;
  std::string url_;
};

std::string redis_cli(unsigned short port, const std::string& password, const std::string& args) {
  return shell(
      fmt::format("redis-cli -p {} -a '{}' --no-auth-warning {} 2>&1", port, password, args));
}

// The sentinels' `SENTINEL master` fields (name, value on alternate lines).
std::string master_field(unsigned short sentinel, const std::string& field) {
  std::istringstream lines(
      redis_cli(sentinel, kSentinelPassword, fmt::format("sentinel master {}", kMaster)));
  std::string name, value;
  while (std::getline(lines, name) && std::getline(lines, value))
    if (name == field) return value;
  return {};
}

// The master's port as the sentinel says (0 if it says nothing).
unsigned short master_port_per(unsigned short sentinel) {
  std::istringstream lines(redis_cli(sentinel, kSentinelPassword,
                                     fmt::format("sentinel get-master-addr-by-name {}", kMaster)));
  std::string host, port;
  if (!std::getline(lines, host) || !std::getline(lines, port)) return 0;
  try {
    return static_cast<unsigned short>(std::stoi(port));
  } catch (const std::exception&) {
    return 0;
  }
}

class SentinelSale : public ::testing::Test {
 protected:
  SentinelSale()
      : dir_("sentinel-sale"),
        master_(dir_, "master", free_port(), data_config()),
        replica1_(dir_, "replica1", free_port(), replica_config(master_.port())),
        replica2_(dir_, "replica2", free_port(), replica_config(master_.port())) {
    for (int i = 0; i < 3; ++i) {
      sentinels_.push_back(std::make_unique<PrivateRedis>(
          dir_, fmt::format("sentinel{}", i), free_port(), sentinel_config(master_.port()), true));
    }
  }

  static std::vector<std::string> data_config() {
    return {fmt::format("requirepass \"{}\"", kPassword),
            fmt::format("masterauth \"{}\"", kPassword)};
  }
  static std::vector<std::string> replica_config(unsigned short master_port) {
    auto config = data_config();
    config.push_back(fmt::format("replicaof 127.0.0.1 {}", master_port));
    return config;
  }
  static std::vector<std::string> sentinel_config(unsigned short master_port) {
    return {fmt::format("sentinel monitor {} 127.0.0.1 {} 2", kMaster, master_port),
            fmt::format("sentinel auth-pass {} {}", kMaster, kPassword),
            fmt::format("sentinel down-after-milliseconds {} 1000", kMaster),
            fmt::format("sentinel failover-timeout {} 10000", kMaster),
            fmt::format("requirepass \"{}\"", kSentinelPassword),
            fmt::format("sentinel sentinel-pass {}", kSentinelPassword)};
  }

  std::string url() const {
    std::string hosts;
    for (const auto& s : sentinels_)
      hosts += fmt::format("127.0.0.1:{},", s->port());
    hosts.pop_back();
    return fmt::format("redis-sentinel://:{}@{}/0#{}", kPassword, hosts, kMaster);
  }

  // Until every sentinel knows both replicas and the two other sentinels (a failover needs a
  // quorum, and the new master needs a replica for the acknowledgements).
  bool sentinels_ready() {
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    for (const auto& s : sentinels_) {
      while (master_field(s->port(), "num-slaves") != "2" ||
             master_field(s->port(), "num-other-sentinels") != "2") {
        if (Clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    // A replica is named as soon as it connects, before its first full sync ends; until then
    // WAIT counts it out and the instances answer 503.
    auto online = [&] {
      const auto info = redis_cli(master_.port(), kPassword, "info replication");
      std::size_t count = 0;
      for (auto at = info.find("state=online"); at != std::string::npos;
           at = info.find("state=online", at + 1))
        ++count;
      return count;
    };
    while (online() < 2) {
      if (Clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return true;
  }

  int check(const std::string& postgres) const {
    auto cmd = fmt::format(
        "'{}' check --redis '{}' --redis-sentinel-password '{}' --postgres '{}' "
        ">/tmp/seckill-sentinel-check.log 2>&1",
        seckill_binary(), url(), kSentinelPassword, postgres);
    int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  TempDir dir_;
  PrivateRedis master_;
  PrivateRedis replica1_;
  PrivateRedis replica2_;
  std::vector<std::unique_ptr<PrivateRedis>> sentinels_;
};

TEST_F(SentinelSale, MasterKilledMidSaleNoPromiseLostAndTheSaleGoesOn) {
  ASSERT_TRUE(sentinels_ready()) << "the sentinels did not see both replicas and each other";
  PrivateDatabase database;
  ScopedEnv redis_env("SECKILL_TEST_REDIS_URL", url());
  ScopedEnv postgres_env("SECKILL_TEST_POSTGRES_URL", database.url());

  const long long stock = 1500;
  SeckillCluster cluster(2, {"--redis-sentinel-password", kSentinelPassword, "--redis-ack-replicas",
                             "1", "--redis-ack-timeout", "200ms"});
  auto admin = cluster.client(0);
  auto voucher = create_voucher(admin, stock);

  std::mutex mutex;
  std::set<std::string> promised;
  std::atomic<int> created{0}, unavailable{0}, after_new_master{0};
  std::atomic<long long> last_201_ns{0}, longest_gap_ns{0}, kill_ns{0}, new_master_ns{0};
  std::atomic<bool> stop{false}, sold_out{false};
  std::atomic<int> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 16; ++t) {
    workers.emplace_back([&, t] {
      std::vector<HttpClient> clients;
      clients.push_back(cluster.client(0));
      clients.push_back(cluster.client(1));
      while (!stop.load()) {
        const int n = next.fetch_add(1);
        auto& client = clients[static_cast<std::size_t>((n + t) % 2)];
        const long long known = new_master_ns.load();
        const bool sent_after_new_master = known != 0 && now_ns() > known;
        auto answer = client.request("POST", fmt::format("/api/v1/vouchers/{}/orders", voucher),
                                     token_for(7'000'000 + static_cast<std::uint64_t>(n)));
        if (answer.status == 201) {
          ++created;
          if (sent_after_new_master) ++after_new_master;
          const auto now = now_ns();
          std::lock_guard lock(mutex);
          if (kill_ns.load() != 0 && last_201_ns.load() != 0)
            longest_gap_ns = std::max(longest_gap_ns.load(), now - last_201_ns.load());
          last_201_ns = now;
          promised.insert(std::string(answer.json().as_object().at("order_id").as_string()));
        } else if (answer.status == 503) {
          ++unavailable;
        } else if (answer.status == 409 && answer.error_code() == "sold_out") {
          sold_out = true;
        }
        // Paced, so that the sale lasts through the failover.
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  const auto sale_start = Clock::now();
  while (created.load() < static_cast<int>(stock) / 10 &&
         Clock::now() - sale_start < std::chrono::seconds(60))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const int created_at_kill = created.load();
  const unsigned short old_master = master_.port();
  master_.process().kill_hard();
  kill_ns = now_ns();
  // The moment the sentinels name another master (down-after-milliseconds, then the election).
  std::thread watcher([&] {
    const auto from = Clock::now();
    while (!stop.load() && Clock::now() - from < std::chrono::seconds(60)) {
      const auto port = master_port_per(sentinels_[0]->port());
      if (port != 0 && port != old_master) {
        new_master_ns = now_ns();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  // Until the stock is gone, or 90 s.
  for (int i = 0; i < 9000 && !sold_out.load(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  stop = true;
  for (auto& w : workers)
    w.join();
  watcher.join();

  // Let the writers drain, then compare the promises with the store.
  const auto count_sql = fmt::format("select count(*) from orders where voucher_id = {}", voucher);
  std::string last;
  for (int i = 0; i < 30; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    auto now = cluster.store_value(count_sql);
    if (now == last && now == std::to_string(stock)) break;
    last = now;
  }
  const long long stored = std::stoll(cluster.store_value(count_sql));
  auto column =
      cluster.store_column(fmt::format("select id from orders where voucher_id = {}", voucher));
  const std::set<std::string> stored_ids(column.begin(), column.end());
  int lost = 0;
  for (const auto& id : promised)
    if (!stored_ids.contains(id)) ++lost;
  const double outage_s = static_cast<double>(longest_gap_ns.load()) / 1e9;
  const double failover_s = new_master_ns.load() == 0
                                ? 0
                                : static_cast<double>(new_master_ns.load() - kill_ns.load()) / 1e9;
  std::printf(
      "SENTINEL FAILOVER stock %lld: 201s %d (%d before the kill, %d to requests sent after the "
      "sentinels named the new master), lost %d, stored %lld, 503s %d, new master named %.2f s "
      "after the kill, outage (longest time without a 201) %.2f s\n",
      stock, created.load(), created_at_kill, after_new_master.load(), lost, stored,
      unavailable.load(), failover_s, outage_s);

  EXPECT_NE(new_master_ns.load(), 0) << "the sentinels never named a new master";
  EXPECT_GT(after_new_master.load(), 0) << "no purchase sent after the failover was answered 201";
  EXPECT_TRUE(sold_out.load()) << "the sale did not end sold out within 90 s";
  EXPECT_EQ(static_cast<int>(promised.size()), created.load()) << "an order id answered twice";
  EXPECT_EQ(lost, 0) << "a 201 whose order never reached the store";
  EXPECT_EQ(stored, stock) << "the store holds exactly the stock";
  EXPECT_EQ(check(database.url()), 0) << shell("cat /tmp/seckill-sentinel-check.log");
}

}  // namespace
