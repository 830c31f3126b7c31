// `seckill demo`: a whole flash sale on this machine, then the proof that it went right.
//   1. Redis and PostgreSQL in a temporary directory on free loopback ports when installed
//      (else the embedded mode, saying so), every process ours and stopped by its pid;
//   2. several `seckill serve` instances (this binary), one voucher;
//   3. many distinct users race for it across the instances, then a reminder storm on a ticket;
//   4. the reports, each instance's peak memory, the invariants, and `seckill check`.
// Exits 1 if any invariant fails, 130 when interrupted (after cleaning up).

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/parse.hpp>
#include <fmt/format.h>
#include <openssl/rand.h>

#include "app/child_processes.hpp"
#include "app/commands.hpp"
#include "app/stop_signal.hpp"
#include "auth/token_signer.hpp"
#include "loadgen/bench_report.hpp"
#include "loadgen/bench_run.hpp"
#include "loadgen/setup_client.hpp"

namespace seckill::app {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct Interrupted {};

std::uint16_t free_port() {
  boost::asio::io_context ctx;
  boost::asio::ip::tcp::acceptor acceptor(
      ctx, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

std::optional<std::string> in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    auto candidate = fs::path(dir) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return std::nullopt;
}

/// The newest /usr/lib/postgresql/*/bin with initdb and postgres (as scripts/services finds it).
std::optional<fs::path> postgres_bin() {
  std::optional<fs::path> best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const auto bin = entry.path() / "bin";
    if (access((bin / "initdb").c_str(), X_OK) != 0 ||
        access((bin / "postgres").c_str(), X_OK) != 0) {
      continue;
    }
    const int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version) {
      best_version = version;
      best = bin;
    }
  }
  return best;
}

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
    throw std::runtime_error("RAND_bytes");
  std::string out;
  for (auto b : raw)
    out += fmt::format("{:02x}", b);
  return out;
}

void check_stop(const std::atomic<bool>& stop) {
  if (stop.load()) throw Interrupted{};
}

void wait_for_port(std::uint16_t port, ChildProcesses& children, pid_t pid, const std::string& what,
                   const std::atomic<bool>& stop, std::chrono::seconds timeout = 60s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    check_stop(stop);
    boost::asio::io_context ctx;
    boost::asio::ip::tcp::socket socket(ctx);
    boost::system::error_code ec;
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    if (!ec) return;
    if (!children.running(pid)) throw std::runtime_error(what + " ended before it was ready");
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error(what + " did not open its port in time");
    }
    std::this_thread::sleep_for(50ms);
  }
}

/// Peak and current resident memory of a process, in MiB, from /proc (0 if unknown).
struct Memory {
  double peak_mib = 0;
  double now_mib = 0;
};

Memory memory_of(pid_t pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  Memory m;
  std::string line;
  while (std::getline(status, line)) {
    std::istringstream in(line);
    std::string key;
    double kib = 0;
    in >> key >> kib;
    if (key == "VmHWM:") m.peak_mib = kib / 1024;
    if (key == "VmRSS:") m.now_mib = kib / 1024;
  }
  return m;
}

struct Verdicts {
  int failed = 0;
  void expect(bool ok, const std::string& what) {
    fmt::print("  [{}] {}\n", ok ? " ok " : "FAIL", what);
    if (!ok) ++failed;
  }
};

/// Distinct users over every record of the ticket, as staff sees them.
std::size_t reminded_users(const loadgen::Target& target, const std::string& staff_token,
                           const std::string& ticket) {
  auto answer = loadgen::http_call(
      target, "GET", fmt::format("/api/v1/tickets/{}/reminders", ticket), staff_token);
  if (answer.status != 200) return 0;
  boost::system::error_code ec;
  auto doc = boost::json::parse(answer.body, ec);
  if (ec || !doc.is_object()) return 0;
  std::set<std::string> users;
  const auto* list = doc.as_object().if_contains("reminders");
  if (list == nullptr || !list->is_array()) return 0;
  for (const auto& record : list->as_array()) {
    const auto* us = record.as_object().if_contains("users");
    if (us == nullptr || !us->is_array()) continue;
    for (const auto& u : us->as_array()) {
      if (const auto* id = u.as_object().if_contains("user_id"); id != nullptr && id->is_string()) {
        users.insert(std::string(id->as_string()));
      }
    }
  }
  return users.size();
}

std::int64_t voucher_stock_left(const loadgen::Target& target, const std::string& admin_token,
                                const std::string& voucher) {
  try {
    auto answer =
        loadgen::http_call(target, "GET", fmt::format("/api/v1/vouchers/{}", voucher), admin_token);
    boost::system::error_code ec;
    auto doc = boost::json::parse(answer.body, ec);
    if (ec || !doc.is_object()) return -1;
    const auto* left = doc.as_object().if_contains("stock_left");
    return left != nullptr && left->is_int64() ? left->as_int64() : -1;
  } catch (const std::exception&) {
    return -1;
  }
}

int demo(const DemoConfig& config, ChildProcesses& children, const fs::path& dir,
         const std::atomic<bool>& stop) {
  const auto self = fs::read_symlink("/proc/self/exe").string();
  const auto redis_server = in_path("redis-server");
  const auto pg = postgres_bin();
  const bool distributed = !config.embedded && redis_server && pg;
  if (distributed) {
    fmt::print("mode: distributed ({} and PostgreSQL from {}, in {})\n", *redis_server,
               pg->string(), dir.string());
  } else if (config.embedded) {
    fmt::print("mode: embedded (asked for with --embedded): one instance, SQLite in {}\n",
               dir.string());
  } else {
    fmt::print("mode: embedded, because {} is not installed: one instance, SQLite in {}\n",
               redis_server ? "PostgreSQL (initdb, postgres)" : "redis-server", dir.string());
  }

  std::string redis_url, postgres_url;
  if (distributed) {
    const auto redis_port = free_port();
    fs::create_directories(dir / "redis");
    const auto redis_pid = children.start(
        {*redis_server, "--port", std::to_string(redis_port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", (dir / "redis").string(), "--protected-mode", "yes"},
        (dir / "redis.log").string());
    wait_for_port(redis_port, children, redis_pid, "redis-server", stop);
    redis_url = fmt::format("redis://127.0.0.1:{}", redis_port);

    // PostgreSQL refuses to run as root: as root it runs as the `postgres` user, as in
    // scripts/services.
    const std::string pg_user = geteuid() == 0 ? "postgres" : "";
    const auto pg_dir = dir / "pg";
    fs::create_directories(pg_dir);
    const auto pg_log = (dir / "postgres.log").string();
    std::ofstream(pg_log, std::ios::app).flush();
    if (!pg_user.empty()) ChildProcesses::run({"chown", pg_user, pg_dir.string(), pg_log}, {});
    if (ChildProcesses::run({(*pg / "initdb").string(), "-D", (pg_dir / "data").string(), "-U",
                             "seckill", "--auth=trust", "-E", "UTF8", "--no-locale"},
                            pg_log, pg_user) != 0) {
      throw std::runtime_error("initdb failed; see " + pg_log);
    }
    check_stop(stop);
    const auto pg_port = free_port();
    const auto pg_pid = children.start(
        {(*pg / "postgres").string(), "-D", (pg_dir / "data").string(), "-c",
         "listen_addresses=127.0.0.1", "-c", fmt::format("port={}", pg_port), "-c",
         fmt::format("unix_socket_directories={}", pg_dir.string()), "-c", "max_connections=300"},
        pg_log, pg_user, SIGINT);
    wait_for_port(pg_port, children, pg_pid, "postgres", stop);
    int created = -1;
    for (int attempt = 0; attempt < 40 && created != 0; ++attempt) {
      check_stop(stop);
      created = ChildProcesses::run({(*pg / "createdb").string(), "-h", "127.0.0.1", "-p",
                                     std::to_string(pg_port), "-U", "seckill", "seckill"},
                                    pg_log);
      if (created != 0) std::this_thread::sleep_for(250ms);
    }
    if (created != 0) throw std::runtime_error("createdb failed; see " + pg_log);
    postgres_url = fmt::format("postgresql://seckill@127.0.0.1:{}/seckill", pg_port);
    fmt::print("redis {}  postgres {}\n", redis_url, postgres_url);
  }

  const std::string secret = random_hex(32);
  const unsigned n_instances = distributed ? config.instances : 1;
  std::vector<loadgen::Target> targets;
  std::vector<pid_t> instance_pids;
  for (unsigned i = 0; i < n_instances; ++i) {
    const auto port = free_port();
    std::vector<std::string> flags{"--listen",    fmt::format("127.0.0.1:{}", port),
                                   "--threads",   std::to_string(config.server_threads),
                                   "--log-level", "warn"};
    // The load generator is one address with up to 10,000 connections: no per-address cap.
    flags.insert(flags.end(), {"--max-connections-per-address", "0"});
    if (distributed) {
      flags.insert(flags.end(), {"--redis", redis_url, "--postgres", postgres_url});
    } else {
      flags.insert(flags.end(), {"--data", (dir / "data").string()});
    }
    // The secret in the environment: on the command line, `ps` would show it to every user.
    const auto instance = serve_child(self, std::move(flags), secret);
    const auto pid =
        children.start(instance.argv, (dir / fmt::format("instance-{}.log", i + 1)).string(), {},
                       SIGTERM, instance.env);
    instance_pids.push_back(pid);
    targets.push_back(loadgen::Target{"127.0.0.1", port});
  }
  for (unsigned i = 0; i < n_instances; ++i) {
    wait_for_port(targets[i].port, children, instance_pids[i], fmt::format("instance {}", i + 1),
                  stop);
  }
  fmt::print("{} instance(s) on ports", n_instances);
  for (const auto& t : targets)
    fmt::print(" {}", t.port);
  fmt::print("\n\n");

  // The sale.
  loadgen::BenchOptions sale;
  sale.scenario = loadgen::Scenario::sale;
  sale.targets = targets;
  sale.connections = config.connections;
  sale.duration = 30min;  // an upper bound: the run ends after the last user
  sale.users = config.users;
  sale.stock = config.stock;
  sale.jwt_secret = secret;
  sale.html_file = config.html_file;
  fmt::print("== the sale: {} distinct users, one voucher of {}, over {} instance(s)\n",
             config.users, config.stock, n_instances);
  std::fflush(stdout);
  const auto sale_report = loadgen::run_scenario(sale, &stop);
  check_stop(stop);
  fmt::print("{}\n", loadgen::to_text(sale_report));
  if (!config.html_file.empty()) std::ofstream(config.html_file) << loadgen::to_html(sale_report);

  // The reminder storm.
  std::optional<loadgen::BenchReport> storm;
  if (config.reminder_users > 0) {
    loadgen::BenchOptions remind = sale;
    remind.scenario = loadgen::Scenario::remind_new;
    remind.users = config.reminder_users;
    remind.first_user = 500'000'000;
    remind.html_file.clear();
    fmt::print("== the reminder storm: {} distinct users remind one ticket\n",
               config.reminder_users);
    std::fflush(stdout);
    storm = loadgen::run_scenario(remind, &stop);
    check_stop(stop);
    fmt::print("{}\n", loadgen::to_text(*storm));
  }

  fmt::print("== memory of each instance (peak resident set)\n");
  double worst_mib = 0;
  for (unsigned i = 0; i < n_instances; ++i) {
    const auto m = memory_of(instance_pids[i]);
    worst_mib = std::max(worst_mib, m.peak_mib);
    fmt::print("  instance {} (pid {}): peak {:.1f} MiB, now {:.1f} MiB\n", i + 1, instance_pids[i],
               m.peak_mib, m.now_mib);
  }

  fmt::print("\n== invariants\n");
  Verdicts v;
  const auto expected =
      std::min<std::uint64_t>(config.users, static_cast<std::uint64_t>(config.stock));
  const auto sold = sale_report.status_count(201);
  const auto sold_out =
      sale_report.codes.contains("sold_out") ? sale_report.codes.at("sold_out") : 0;
  v.expect(sale_report.transport_errors == 0,
           fmt::format("every request was answered ({} transport errors)",
                       sale_report.transport_errors));
  v.expect(sale_report.requests == config.users,
           fmt::format("{} of {} users answered", sale_report.requests, config.users));
  v.expect(sold == expected,
           fmt::format("{} orders taken (201), expected exactly {}", sold, expected));
  v.expect(sold + sold_out == sale_report.requests,
           fmt::format("every other answer is 409 sold_out ({} of {})", sold_out,
                       sale_report.requests - sold));
  // The store may still be taking the last orders in: give it a moment.
  const auto want_left = config.stock - static_cast<std::int64_t>(sold);
  auto left = sale_report.stock_left_after;
  const auto admin = auth::TokenSigner(secret).sign(1, auth::Role::admin, std::chrono::hours(1));
  for (auto until = std::chrono::steady_clock::now() + 30s;
       left != want_left && std::chrono::steady_clock::now() < until;) {
    check_stop(stop);
    std::this_thread::sleep_for(200ms);
    left = voucher_stock_left(targets.front(), admin, sale_report.voucher);
  }
  v.expect(left == want_left, fmt::format("the voucher shows stock_left {} = stock {} - orders {}",
                                          left, config.stock, sold));
  if (storm) {
    const auto taken = storm->status_count(201);
    v.expect(taken == config.reminder_users && storm->transport_errors == 0,
             fmt::format("{} of {} reminders taken (201)", taken, config.reminder_users));
    auto staff = auth::TokenSigner(secret).sign(2, auth::Role::staff, std::chrono::hours(1));
    std::size_t seen = 0;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    do {
      check_stop(stop);
      seen = reminded_users(targets.front(), staff, storm->ticket);
      if (seen == config.reminder_users) break;
      std::this_thread::sleep_for(200ms);
    } while (std::chrono::steady_clock::now() < deadline);
    v.expect(seen == config.reminder_users,
             fmt::format("the ticket's records list {} distinct users", seen));
  }
  // An aim, not an invariant: reported, never a failure.
  fmt::print("  [{}] each instance within 100 MiB resident (largest peak {:.1f} MiB)\n",
             worst_mib <= 100 ? "aim met" : "aim MISSED", worst_mib);

  // The audit runs while the instances still drain their order streams into the store (it
  // waits for the streams to empty); they are stopped after.
  if (distributed) {
    fmt::print("\n== seckill check\n");
    std::fflush(stdout);
    CheckConfig check;
    check.redis_urls = {redis_url};
    check.postgres_url = postgres_url;
    check.log_level = "warn";
    const int code = run_check(check);
    v.expect(code == 0, "seckill check: coordinator and store agree");
  } else {
    fmt::print(
        "\n(`seckill check` audits the distributed mode; in the embedded mode the store is the "
        "coordinator, and the voucher's stock_left above is read from it)\n");
  }
  for (auto pid : instance_pids)
    children.stop(pid);
  fmt::print("\n{}\n", v.failed == 0 ? "demo: every invariant holds"
                                     : fmt::format("demo: {} invariant(s) FAILED", v.failed));
  return v.failed == 0 ? 0 : 1;
}

}  // namespace

int run_demo(const DemoConfig& config) {
  const auto& stop = stop_on_signals();
  std::string pattern = (fs::temp_directory_path() / "seckill-demo.XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    fmt::print(stderr, "seckill demo: cannot make a temporary directory\n");
    return 1;
  }
  const fs::path dir = pattern;
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  int code = 1;
  {
    ChildProcesses children;
    try {
      code = demo(config, children, dir, stop);
    } catch (const Interrupted&) {
      fmt::print(stderr, "\nseckill demo: interrupted; stopping what it started\n");
      code = 130;
    } catch (const std::exception& e) {
      fmt::print(stderr, "seckill demo: {} (logs in {})\n", e.what(), dir.string());
      children.stop_all();
      return 1;  // the directory is kept for its logs
    }
  }  // every process stopped, by pid
  if (code == 1) {
    fmt::print(stderr, "seckill demo: the logs are kept in {}\n", dir.string());
    return code;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return code;
}

}  // namespace seckill::app
