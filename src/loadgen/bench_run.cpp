#include "loadgen/bench_run.hpp"

#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include "core/rfc3339.hpp"
#include "loadgen/http_load.hpp"
#include "loadgen/setup_client.hpp"
#include "loadgen/token_book.hpp"

namespace seckill::loadgen {
namespace {

// Tokens minted before the run at most (about 200 bytes each); users beyond are minted as the
// run reaches them.
constexpr std::uint64_t kMaxTokensAhead = 600'000;
// Requests per second assumed when sizing the tokens of a timed run.
constexpr double kExpectedRate = 60'000;

std::string string_field(const std::string& body, std::string_view field) {
  boost::system::error_code ec;
  auto doc = boost::json::parse(body, ec);
  if (ec || !doc.is_object()) return {};
  const auto* v = doc.as_object().if_contains(field);
  if (v == nullptr) return {};
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  return {};
}

std::string create_voucher(const Target& target, const std::string& admin_token,
                           std::int64_t stock) {
  const auto now = std::chrono::system_clock::now();
  const auto body = fmt::format(
      R"({{"title":"seckill bench","stock":{},"begin_at":"{}","end_at":"{}"}})", stock,
      format_rfc3339(std::chrono::floor<std::chrono::seconds>(now - std::chrono::minutes(1))),
      format_rfc3339(std::chrono::floor<std::chrono::seconds>(now + std::chrono::hours(24))));
  auto answer = http_call(target, "POST", "/api/v1/vouchers", admin_token, body);
  if (answer.status != 201) {
    throw std::runtime_error(fmt::format(
        "creating the voucher: {} {} (is --jwt-secret the server's?)", answer.status, answer.body));
  }
  auto id = string_field(answer.body, "id");
  if (id.empty()) throw std::runtime_error("creating the voucher: no id in " + answer.body);
  return id;
}

std::uint64_t tokens_ahead(const BenchOptions& o, const RequestPlan& plan) {
  const double secs = static_cast<double>((o.duration + o.warmup).count()) / 1000.0;
  const double rate = o.rate > 0 ? o.rate : kExpectedRate;
  const auto requests = static_cast<std::uint64_t>(rate * secs) + 1000;
  return std::min(plan.users_for(requests), kMaxTokensAhead);
}

}  // namespace

BenchReport run_scenario(const BenchOptions& options, const std::atomic<bool>* stop) {
  if (options.targets.empty()) throw std::invalid_argument("--target: none given");
  if (needs_tokens(options.scenario) && options.jwt_secret.empty()) {
    throw std::invalid_argument(fmt::format(
        "--jwt-secret (or SECKILL_JWT_SECRET) is required for scenario {}: tokens are minted "
        "here with the server's secret",
        to_string(options.scenario)));
  }
  LoadSpec spec;
  spec.options = options;
  spec.stop = stop;
  spec.plan = RequestPlan(options.scenario, options.first_user, options.users);
  std::unique_ptr<TokenBook> tokens;
  if (needs_tokens(options.scenario)) {
    tokens = std::make_unique<TokenBook>(options.jwt_secret, options.first_user,
                                         tokens_ahead(options, spec.plan),
                                         std::max(2u, options.threads));
    spec.tokens = tokens.get();
  }
  const Target& first = options.targets.front();
  spec.voucher = options.voucher;
  if (needs_voucher(options.scenario) && spec.voucher.empty()) {
    const auto admin = tokens->admin_token(1);
    const std::int64_t stock = options.scenario == Scenario::soldout ? 1 : options.stock;
    spec.voucher = create_voucher(first, admin, stock);
    if (options.scenario == Scenario::soldout) {
      // One buyer outside the run's users takes the only item.
      std::string scratch;
      auto token = tokens->token(options.first_user - 1, scratch);
      auto path = fmt::format("/api/v1/vouchers/{}/orders", spec.voucher);
      auto answer = http_call(first, "POST", path, std::string(token));
      if (answer.status != 201) {
        throw std::runtime_error(
            fmt::format("selling out the voucher: {} {}", answer.status, answer.body));
      }
    }
  }
  spec.ticket = options.ticket;
  if (spec.ticket.empty()) {
    spec.ticket = fmt::format("bench-{}-{}", getpid(),
                              std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());
  }
  auto report = run_load(spec);
  if (!spec.voucher.empty()) {
    try {
      const auto admin = tokens->admin_token(1);
      auto answer =
          http_call(first, "GET", fmt::format("/api/v1/vouchers/{}", spec.voucher), admin);
      boost::system::error_code ec;
      auto doc = boost::json::parse(answer.body, ec);
      if (!ec && doc.is_object()) {
        if (const auto* left = doc.as_object().if_contains("stock_left");
            left != nullptr && left->is_int64()) {
          report.stock_left_after = left->as_int64();
        }
      }
    } catch (const std::exception&) {
      // The read-back is informative only; the report stands without it.
    }
  }
  return report;
}

int run_bench(const BenchOptions& options, const std::atomic<bool>* stop) {
  auto report = run_scenario(options, stop);
  if (options.json) {
    fmt::print("{}\n", to_json(report));
  } else {
    fmt::print("{}", to_text(report));
  }
  if (!options.html_file.empty()) {
    std::ofstream html(options.html_file, std::ios::trunc);
    html << to_html(report);
    if (!html) {
      fmt::print(stderr, "seckill bench: --html {}: cannot write\n", options.html_file);
      return 1;
    }
  }
  return report.requests == 0 ? 1 : 0;
}

}  // namespace seckill::loadgen
