#include "system/seckill_cluster.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <signal.h>
#include <stdexcept>
#include <stdlib.h>
#include <sys/wait.h>
#include <thread>

#include <fmt/format.h>
#include <sqlite3.h>

#include "auth/role.hpp"
#include "auth/token_signer.hpp"
#include "core/rfc3339.hpp"
#include "support/test_env.hpp"

namespace seckill::testing {

SeckillCluster::SeckillCluster(int instances, std::vector<std::string> extra_flags, Mode mode)
    : mode_(mode), extra_flags_(std::move(extra_flags)) {
  if (mode_ == Mode::embedded) {
    char pattern[] = "/tmp/seckill-embedded-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    data_dir_ = pattern;
  }
  for (int i = 0; i < instances; ++i) {
    ports_.push_back(free_port());
    std::filesystem::remove(log_path(static_cast<int>(ports_.size() - 1)));
    processes_.emplace_back();
    launch(ports_.size() - 1);
  }
  for (auto p : ports_)
    wait_ready(p);
}

SeckillCluster::~SeckillCluster() {
  // SIGTERM to all at once, then each waited for (SIGKILL after the grace): a graceful exit is
  // where LeakSanitizer runs. The ChildProcess destructors then fail the test on a sanitizer
  // report in a server's log.
  for (auto& p : processes_)
    p->signal(SIGTERM);
  for (auto& p : processes_)
    p->wait(kStopGrace);
  processes_.clear();
  if (!data_dir_.empty()) std::filesystem::remove_all(data_dir_);
}

void SeckillCluster::launch(std::size_t i) {
  auto p = ports_[i];
  std::vector<std::string> argv{
      seckill_binary(), "serve",        "--listen",  fmt::format("127.0.0.1:{}", p),
      "--jwt-secret",   kTestJwtSecret, "--threads", "1",
      "--log-level",    "warn"};
  if (auto own = backends_.find(static_cast<int>(i)); own != backends_.end()) {
    argv.insert(argv.end(), {"--redis", own->second.first, "--postgres", own->second.second});
  } else if (mode_ == Mode::distributed) {
    argv.insert(argv.end(), {"--redis", redis_url(), "--postgres", postgres_url()});
  } else if (mode_ == Mode::cluster) {
    argv.insert(argv.end(),
                {"--redis", redis_cluster_urls(), "--postgres", postgres_cluster_url()});
  } else {
    argv.insert(argv.end(), {"--data", data_dir_});
  }
  // SIGTERM stops at once unless a test asks for the drain (drain_systest): the other tests stop
  // their clusters often and do not watch /readyz.
  if (std::ranges::find(extra_flags_, std::string("--drain-delay")) == extra_flags_.end()) {
    argv.insert(argv.end(), {"--drain-delay", "0s"});
  }
  argv.insert(argv.end(), extra_flags_.begin(), extra_flags_.end());
  processes_[i] = std::make_unique<ChildProcess>(argv, log_path(static_cast<int>(i)));
}

std::string SeckillCluster::log_path(int i) const {
  return fmt::format("/tmp/seckill-systest-{}.log", port(i));
}

void SeckillCluster::wait_ready(unsigned short port) const {
  wait_for_port(port, std::chrono::seconds(20));
  HttpClient c("127.0.0.1", port);
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (c.request("GET", "/healthz").status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void SeckillCluster::restart_hard(int i) {
  auto index = static_cast<std::size_t>(i);
  processes_[index]->kill_hard();
  launch(index);
  wait_ready(ports_[index]);
}

void SeckillCluster::use_backends(int i, std::string redis, std::string postgres) {
  backends_[i] = {std::move(redis), std::move(postgres)};
}

std::vector<std::string> SeckillCluster::store_column(const std::string& sql) const {
  std::vector<std::string> out;
  if (uses_postgres(mode_)) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(
        PQconnectdb((mode_ == Mode::cluster ? postgres_cluster_url() : postgres_url()).c_str()),
        &PQfinish);
    if (PQstatus(conn.get()) != CONNECTION_OK) throw std::runtime_error("cannot reach PostgreSQL");
    std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
      throw std::runtime_error(std::string("SQL failed: ") + PQerrorMessage(conn.get()));
    }
    for (int r = 0; r < PQntuples(res.get()); ++r)
      out.emplace_back(PQgetvalue(res.get(), r, 0));
    return out;
  }
  sqlite3* raw = nullptr;
  auto path = data_dir_ + "/seckill.db";
  if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(raw);
    throw std::runtime_error("cannot open " + path);
  }
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  sqlite3_busy_timeout(db.get(), 5000);
  sqlite3_stmt* stmt_raw = nullptr;
  if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &stmt_raw, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("SQL failed: ") + sqlite3_errmsg(db.get()));
  }
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(stmt_raw, &sqlite3_finalize);
  while (sqlite3_step(stmt.get()) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(stmt.get(), 0);
    out.emplace_back(text == nullptr ? "" : reinterpret_cast<const char*>(text));
  }
  return out;
}

std::string SeckillCluster::store_value(const std::string& sql) const {
  auto column = store_column(sql);
  return column.empty() ? std::string() : column.front();
}

std::string SeckillCluster::wait_for_store(const std::string& sql, const std::string& expected,
                                           int seconds) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      last = store_value(sql);
      if (last == expected) return last;
    } catch (const std::exception&) {
      // PostgreSQL may be restarting in a fault test.
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return last;
}

int SeckillCluster::check() {
  return check(Mode::distributed);
}

int SeckillCluster::check(Mode mode) {
  auto redis = mode == Mode::cluster ? redis_cluster_urls() : redis_url();
  auto pg = mode == Mode::cluster ? postgres_cluster_url() : postgres_url();
  auto cmd = fmt::format("'{}' check --redis '{}' --postgres '{}' >/tmp/seckill-check.log 2>&1",
                         seckill_binary(), redis, pg);
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string token_for(std::uint64_t user, const std::string& role) {
  auth::TokenSigner signer(kTestJwtSecret);
  return signer.sign(user, auth::parse_role(role).value(), std::chrono::hours(1));
}

std::string create_voucher(HttpClient& client, long long stock, int begin_offset_s,
                           int end_offset_s) {
  auto now = std::chrono::system_clock::now();
  auto body = fmt::format(R"({{"title":"test voucher","stock":{},"begin_at":"{}","end_at":"{}"}})",
                          stock, format_rfc3339(now + std::chrono::seconds(begin_offset_s)),
                          format_rfc3339(now + std::chrono::seconds(end_offset_s)));
  auto answer = client.request("POST", "/api/v1/vouchers", token_for(1, "admin"), body);
  if (answer.status != 201) {
    throw std::runtime_error(fmt::format("create voucher: {} {}", answer.status, answer.body));
  }
  return std::string(answer.json().as_object().at("id").as_string());
}

}  // namespace seckill::testing
