// PostgreSQL as production runs it, each server started by the test in its own temp directory
// (the binaries of scripts/services, /usr/lib/postgresql/*/bin) and stopped by its pid file:
// a password user under scram-sha-256; TLS with a private CA made with openssl
// (sslmode=verify-full); a primary and a streaming standby behind one multi-host URL with
// target_session_attrs=read-write, the primary stopped and the standby promoted mid-sale. Each
// with `seckill migrate` / `seckill serve` and a Redis of the test's own.
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include "redis/private_redis.hpp"
#include "support/test_env.hpp"
#include "system/seckill_cluster.hpp"

using namespace seckill::testing;
using seckill::redis::testing::PrivateRedis;
using seckill::redis::testing::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kAppPassword = "app-Pg-s3cret";

struct Shell {
  int status = -1;
  std::string out;
};

// Runs `command` with sh, stdout and stderr captured.
Shell run(const std::string& command) {
  Shell result;
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen((command + " 2>&1").c_str(), "r"), &pclose);
  if (!pipe) throw std::runtime_error("popen failed: " + command);
  std::array<char, 4096> buffer{};
  while (auto n = fread(buffer.data(), 1, buffer.size(), pipe.get()))
    result.out.append(buffer.data(), n);
  const int status = pclose(pipe.release());
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string must(const std::string& command) {
  auto r = run(command);
  if (r.status != 0) throw std::runtime_error(fmt::format("{} failed: {}", command, r.out));
  return r.out;
}

std::string pg_bin() {
  auto dir = must("ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1");
  while (!dir.empty() && dir.back() == '\n')
    dir.pop_back();
  return dir;
}

// PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user (as in
// scripts/services).
std::string as_pg() {
  return ::getuid() == 0 ? "runuser -u postgres -- " : "";
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

// One PostgreSQL server in `root`/`name`, listening on 127.0.0.1:port only, its socket in its own
// directory; superuser `seckill` (trust on the socket), the given pg_hba lines for TCP.
class PrivatePostgres {
 public:
  /// initdb, then the `conf` lines appended to postgresql.conf and pg_hba.conf written from `hba`
  /// (after a `local all all trust`); starts it.
  PrivatePostgres(const TempDir& root, const std::string& name, std::vector<std::string> conf,
                  std::vector<std::string> hba)
      : PrivatePostgres(root, name) {
    must(fmt::format("{}{}/initdb -D {} -U seckill --auth=trust -E UTF8 --no-locale", as_pg(),
                     pg_bin(), data_));
    std::ofstream(data_ + "/postgresql.conf", std::ios::app)
        << fmt::format("\n{}\n", fmt::join(conf, "\n"));
    std::ofstream(data_ + "/pg_hba.conf")
        << fmt::format("local all all trust\n{}\n", fmt::join(hba, "\n"));
    start();
  }
  /// A streaming standby of `primary` (pg_basebackup -R), started.
  PrivatePostgres(const TempDir& root, const std::string& name, const PrivatePostgres& primary)
      : PrivatePostgres(root, name) {
    must(fmt::format("{}{}/pg_basebackup -h 127.0.0.1 -p {} -U seckill -D {} -R -X stream -c fast",
                     as_pg(), pg_bin(), primary.port(), data_));
    start();
  }
  ~PrivatePostgres() { stop(); }
  PrivatePostgres(const PrivatePostgres&) = delete;
  PrivatePostgres& operator=(const PrivatePostgres&) = delete;

  unsigned short port() const { return port_; }
  const std::string& dir() const { return dir_; }

  void start() {
    must(
        fmt::format("{}{}/pg_ctl -D {} -l {}/server.log -w -t 60 start -o '-c "
                    "listen_addresses=127.0.0.1 -c port={} -c unix_socket_directories={}'",
                    as_pg(), pg_bin(), data_, dir_, port_, dir_));
    std::ifstream pidfile(data_ + "/postmaster.pid");
    pidfile >> pid_;
  }
  /// Fast shutdown of the server this object started (by its pid file), SIGKILL if it lingers.
  void stop() {
    if (pid_ <= 0) return;
    run(fmt::format("{}{}/pg_ctl -D {} -m fast -w -t 30 stop", as_pg(), pg_bin(), data_));
    if (::kill(pid_, 0) == 0) ::kill(pid_, SIGKILL);
    pid_ = -1;
  }
  void promote() {
    must(fmt::format("{}{}/pg_ctl -D {} -w -t 60 promote", as_pg(), pg_bin(), data_));
  }
  /// Runs `sql` as the superuser over the socket; returns psql's unaligned output.
  std::string psql(const std::string& sql, const std::string& database = "postgres") const {
    return must(fmt::format("psql -X -At -v ON_ERROR_STOP=1 -h {} -p {} -U seckill -d {} -c \"{}\"",
                            dir_, port_, database, sql));
  }

 private:
  PrivatePostgres(const TempDir& root, const std::string& name)
      : dir_(root.file(name)), data_(dir_ + "/data"), port_(free_port()) {
    std::filesystem::create_directories(dir_);
    if (::getuid() == 0) must("chown postgres " + dir_);
  }

  std::string dir_;
  std::string data_;
  unsigned short port_;
  pid_t pid_ = -1;
};

// A directory the postgres user can read (certificates) and write (servers).
TempDir& readable(TempDir& dir) {
  std::filesystem::permissions(
      dir.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                      std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                      std::filesystem::perms::others_exec);
  return dir;
}

Shell seckill(const std::string& args) {
  return run(fmt::format("timeout 60 '{}' {}", seckill_binary(), args));
}

// A user buys through instance 0; returns the order id.
std::string buy(SeckillCluster& cluster, const std::string& voucher, std::uint64_t user) {
  auto client = cluster.client(0);
  auto answer =
      client.request("POST", fmt::format("/api/v1/vouchers/{}/orders", voucher), token_for(user));
  EXPECT_EQ(answer.status, 201) << answer.body;
  return answer.status == 201 ? std::string(answer.json().as_object().at("order_id").as_string())
                              : std::string();
}

// Serve on `postgres`: a voucher and a few orders reach the store.
void sale_is_stored(const std::string& postgres) {
  TempDir redis_dir("pg-deploy-redis");
  PrivateRedis redis(redis_dir, "redis", free_port(), {});
  ScopedEnv redis_env("SECKILL_TEST_REDIS_URL", fmt::format("redis://127.0.0.1:{}", redis.port()));
  ScopedEnv postgres_env("SECKILL_TEST_POSTGRES_URL", postgres);
  SeckillCluster cluster(1);
  auto admin = cluster.client(0);
  auto voucher = create_voucher(admin, 10);
  for (std::uint64_t user = 100; user < 105; ++user)
    buy(cluster, voucher, user);
  EXPECT_EQ(cluster.wait_for_store(
                fmt::format("select count(*) from orders where voucher_id = {}", voucher), "5", 30),
            "5");
}

TEST(PostgresDeploy, ScramPasswordInTheUrlAndAWrongOneExitsTwoWithoutShowingIt) {
  TempDir dir("pg-scram");
  PrivatePostgres pg(readable(dir), "pg", {"password_encryption = 'scram-sha-256'"},
                     {"host all all 127.0.0.1/32 scram-sha-256"});
  pg.psql(fmt::format("create role app login password '{}'", kAppPassword));
  pg.psql("create database app owner app");
  EXPECT_EQ(pg.psql("select left(rolpassword, 13) from pg_authid where rolname = 'app'"),
            "SCRAM-SHA-256\n");

  const auto url = fmt::format("postgresql://app:{}@127.0.0.1:{}/app", kAppPassword, pg.port());
  auto migrated = seckill("migrate --postgres '" + url + "'");
  EXPECT_EQ(migrated.status, 0) << migrated.out;
  EXPECT_EQ(migrated.out.find(kAppPassword), std::string::npos) << migrated.out;
  sale_is_stored(url);

  // A wrong password: exit 2 at once, said, and not shown (neither the wrong nor the right one).
  const std::string wrong = "not-the-Pg-password";
  const auto wrong_url = fmt::format("postgresql://app:{}@127.0.0.1:{}/app", wrong, pg.port());
  // The password in the query string (libpq's `password=`) is not shown either.
  const auto query_url =
      fmt::format("postgresql://app@127.0.0.1:{}/app?password={}", pg.port(), wrong);
  auto query_refused = seckill("migrate --postgres '" + query_url + "'");
  EXPECT_EQ(query_refused.status, 2) << query_refused.out;
  EXPECT_EQ(query_refused.out.find(wrong), std::string::npos) << query_refused.out;
  for (const std::string& verb : std::vector<std::string>{
           "migrate", fmt::format("serve --listen 127.0.0.1:{} --redis redis://127.0.0.1:{}",
                                  free_port(), free_port())}) {
    auto refused = seckill(verb + " --postgres '" + wrong_url + "'");
    std::printf("%s", refused.out.c_str());
    EXPECT_EQ(refused.status, 2) << verb << ": " << refused.out;
    EXPECT_NE(refused.out.find("password authentication failed for user \"app\""),
              std::string::npos)
        << verb << ": " << refused.out;
    EXPECT_EQ(refused.out.find(wrong), std::string::npos) << verb << ": " << refused.out;
    EXPECT_EQ(refused.out.find(kAppPassword), std::string::npos) << verb << ": " << refused.out;
  }
}

// A CA and a certificate signed by it for 127.0.0.1 and localhost (name.crt, name.key).
void make_certificates(const TempDir& dir) {
  const auto d = dir.path().string();
  for (const char* ca : {"ca", "other-ca"}) {
    must(
        fmt::format("cd {} && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                    "-nodes -days 2 -keyout {}.key -out {}.crt -subj /CN={}",
                    d, ca, ca, ca));
  }
  must(fmt::format(
      "cd {0} && printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > server.ext && openssl "
      "req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out "
      "server.csr -subj /CN=localhost && openssl x509 -req -in server.csr -CA ca.crt -CAkey "
      "ca.key -CAcreateserial -days 2 -out server.crt -extfile server.ext && chmod 600 "
      "server.key && chmod 644 ca.crt other-ca.crt server.crt",
      d));
  // The server's key must be its own and private.
  if (::getuid() == 0) must(fmt::format("chown postgres {}/server.key", d));
}

TEST(PostgresDeploy, TlsVerifyFullWithAPrivateCaAndAWrongCaFailsClearly) {
  TempDir dir("pg-tls");
  make_certificates(readable(dir));
  PrivatePostgres pg(
      dir, "pg",
      {"ssl = on", fmt::format("ssl_cert_file = '{}'", dir.file("server.crt")),
       fmt::format("ssl_key_file = '{}'", dir.file("server.key"))},
      {"hostssl all all 127.0.0.1/32 trust", "hostnossl all all 127.0.0.1/32 reject"});
  pg.psql("create database seckill");

  const auto base = fmt::format("postgresql://seckill@127.0.0.1:{}/seckill", pg.port());
  const auto url = fmt::format("{}?sslmode=verify-full&sslrootcert={}", base, dir.file("ca.crt"));
  auto migrated = seckill("migrate --postgres '" + url + "'");
  EXPECT_EQ(migrated.status, 0) << migrated.out;
  sale_is_stored(url);
  // Every session of the service was over TLS (the server refuses others anyway).
  EXPECT_EQ(pg.psql("select count(*) from pg_stat_ssl s join pg_stat_activity a using (pid) "
                    "where a.datname = 'seckill' and a.client_addr is not null and not s.ssl",
                    "seckill"),
            "0\n");

  // Another CA: the chain does not verify; said, exit 2.
  auto wrong_ca = seckill(fmt::format("migrate --postgres '{}?sslmode=verify-full&sslrootcert={}'",
                                      base, dir.file("other-ca.crt")));
  std::printf("%s", wrong_ca.out.c_str());
  EXPECT_EQ(wrong_ca.status, 2) << wrong_ca.out;
  EXPECT_NE(wrong_ca.out.find("certificate verify failed"), std::string::npos) << wrong_ca.out;
  // Without TLS: refused by the server (pg_hba), said, exit 2.
  auto plain = seckill(fmt::format("migrate --postgres '{}?sslmode=disable'", base));
  EXPECT_EQ(plain.status, 2) << plain.out;
  EXPECT_NE(plain.out.find("no encryption"), std::string::npos) << plain.out;
}

TEST(PostgresDeploy, MultiHostUrlFollowsAPromotedStandbyMidSale) {
  TempDir dir("pg-standby");
  PrivatePostgres primary(
      readable(dir), "primary", {"wal_level = replica"},
      {"host all all 127.0.0.1/32 trust", "host replication all 127.0.0.1/32 trust"});
  primary.psql("create database seckill");
  PrivatePostgres standby(dir, "standby", primary);
  EXPECT_EQ(standby.psql("select pg_is_in_recovery()"), "t\n");

  const auto url = fmt::format(
      "postgresql://seckill@127.0.0.1:{},127.0.0.1:{}/seckill?target_session_attrs=read-write",
      primary.port(), standby.port());
  TempDir redis_dir("pg-standby-redis");
  PrivateRedis redis(redis_dir, "redis", free_port(), {});
  ScopedEnv redis_env("SECKILL_TEST_REDIS_URL", fmt::format("redis://127.0.0.1:{}", redis.port()));
  ScopedEnv postgres_env("SECKILL_TEST_POSTGRES_URL", url);
  const auto test_start = Clock::now();
  SeckillCluster cluster(2);
  std::printf("instances up after %.1f s\n",
              std::chrono::duration<double>(Clock::now() - test_start).count());
  auto admin = cluster.client(0);
  const long long stock = 600;
  auto voucher = create_voucher(admin, stock);

  std::mutex mutex;
  std::set<std::string> promised;
  std::atomic<int> created{0}, after_promotion{0};
  std::atomic<long long> promoted_ns{0};
  std::atomic<bool> stop{false}, sold_out{false};
  std::atomic<int> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&, t] {
      std::vector<HttpClient> clients;
      clients.push_back(cluster.client(0));
      clients.push_back(cluster.client(1));
      while (!stop.load()) {
        const int n = next.fetch_add(1);
        const long long promoted = promoted_ns.load();
        const bool after = promoted != 0 && Clock::now().time_since_epoch().count() > promoted;
        auto answer = clients[static_cast<std::size_t>((n + t) % 2)].request(
            "POST", fmt::format("/api/v1/vouchers/{}/orders", voucher),
            token_for(9'000'000 + static_cast<std::uint64_t>(n)));
        if (answer.status == 201) {
          ++created;
          if (after) ++after_promotion;
          std::lock_guard lock(mutex);
          promised.insert(std::string(answer.json().as_object().at("order_id").as_string()));
        } else if (answer.status == 409 && answer.error_code() == "sold_out") {
          sold_out = true;
        }
        // Paced (about 200 a second), so that the sale lasts through the switch.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  const auto started = Clock::now();
  while (created.load() < static_cast<int>(stock) / 10 &&
         Clock::now() - started < std::chrono::seconds(60))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const int created_at_stop = created.load();
  const auto stopping = Clock::now();
  primary.stop();
  const auto stopped = Clock::now();
  standby.promote();
  promoted_ns = Clock::now().time_since_epoch().count();
  std::printf("primary stopped in %.2f s (%d 201s before); standby promoted %.2f s later\n",
              std::chrono::duration<double>(stopped - stopping).count(), created_at_stop,
              std::chrono::duration<double>(Clock::now() - stopped).count());
  for (int i = 0; i < 6000 && !sold_out.load(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  stop = true;
  for (auto& w : workers)
    w.join();

  const auto count_sql = fmt::format("select count(*) from orders where voucher_id = {}", voucher);
  std::printf("sale over after %.1f s\n",
              std::chrono::duration<double>(Clock::now() - test_start).count());
  const auto stored = cluster.wait_for_store(count_sql, std::to_string(stock), 60);
  std::printf("stored after %.1f s\n",
              std::chrono::duration<double>(Clock::now() - test_start).count());
  auto column =
      cluster.store_column(fmt::format("select id from orders where voucher_id = {}", voucher));
  const std::set<std::string> stored_ids(column.begin(), column.end());
  int lost = 0;
  for (const auto& id : promised)
    if (!stored_ids.contains(id)) ++lost;
  std::printf("PG FAILOVER stock %lld: 201s %d (%d sent after the promotion), stored %s, lost %d\n",
              stock, created.load(), after_promotion.load(), stored.c_str(), lost);
  EXPECT_TRUE(sold_out.load()) << "the sale did not end sold out within 60 s";
  EXPECT_GT(after_promotion.load(), 0);
  EXPECT_EQ(lost, 0) << "a 201 whose order never reached the new primary";
  EXPECT_EQ(stored, std::to_string(stock));
  EXPECT_EQ(standby.psql("select pg_is_in_recovery()"), "f\n");
}

}  // namespace
