#include "system/seckill_cluster.hpp"

#include <chrono>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>

#include <fmt/format.h>

#include "auth/role.hpp"
#include "auth/token_signer.hpp"
#include "core/rfc3339.hpp"
#include "support/test_env.hpp"

namespace seckill::testing {

SeckillCluster::SeckillCluster(int instances, std::vector<std::string> extra_flags) {
  for (int i = 0; i < instances; ++i) {
    auto p = free_port();
    std::vector<std::string> argv{
        seckill_binary(), "serve",        "--listen",   fmt::format("127.0.0.1:{}", p),
        "--redis",        redis_url(),    "--postgres", postgres_url(),
        "--jwt-secret",   kTestJwtSecret, "--threads",  "1",
        "--log-level",    "warn"};
    argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
    processes_.emplace_back(argv, fmt::format("/tmp/seckill-systest-{}.log", p));
    ports_.push_back(p);
  }
  for (auto p : ports_) {
    wait_for_port(p, std::chrono::seconds(20));
    HttpClient c("127.0.0.1", p);
    for (int attempt = 0; attempt < 100; ++attempt) {
      if (c.request("GET", "/healthz").status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

int SeckillCluster::check() {
  auto cmd = fmt::format("'{}' check --redis '{}' --postgres '{}' >/tmp/seckill-check.log 2>&1",
                         seckill_binary(), redis_url(), postgres_url());
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string token_for(std::uint64_t user, const std::string& role) {
  auth::TokenSigner signer(kTestJwtSecret);
  return signer.sign(user, auth::parse_role(role).value(), std::chrono::hours(1));
}

std::string sql_value(const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(postgres_url().c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) throw std::runtime_error("cannot reach PostgreSQL");
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
    throw std::runtime_error(std::string("SQL failed: ") + PQerrorMessage(conn.get()));
  }
  if (PQntuples(res.get()) == 0) return {};
  return PQgetvalue(res.get(), 0, 0);
}

std::string wait_for_sql(const std::string& sql, const std::string& expected, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      last = sql_value(sql);
      if (last == expected) return last;
    } catch (const std::exception&) {
      // PostgreSQL may be restarting in a fault test.
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return last;
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
