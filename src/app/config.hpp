#pragma once
// What the command line asks for, as plain structs with the contract's defaults. Filled by
// cli.cpp from flags and SECKILL_* environment variables (the flag wins); nothing else reads
// flags or the environment.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/rate_limit.hpp"
#include "loadgen/bench_options.hpp"

namespace seckill::app {

using namespace std::chrono_literals;

/// The shortest --jwt-secret accepted (CONTRACT.md): an HS256 key of fewer bytes can be
/// brute-forced offline from one token.
inline constexpr std::size_t kMinJwtSecretBytes = 32;

struct ServeConfig {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  /// Empty: the embedded coordinator. Several: a Redis Cluster seed list. A
  /// `redis-sentinel://` URL is always alone.
  std::vector<std::string> redis_urls;
  /// --redis-sentinel-password: AUTH to the sentinels of a `redis-sentinel://` URL.
  std::string redis_sentinel_password;
  /// Empty: the embedded store.
  std::string postgres_url;
  std::string data_dir = "./data";
  /// Empty: a random secret is made at start and printed once, with a warning.
  std::string jwt_secret;
  /// --token-max-ttl: tokens living longer (exp - iat, or exp - now without iat) are refused.
  std::chrono::seconds token_max_ttl = 24h;
  unsigned threads = 0;  ///< 0: the number of cores
  std::chrono::milliseconds reminder_window = 15min;
  std::chrono::milliseconds reminder_user_window = 15min;
  std::chrono::milliseconds reminder_sla = 30min;
  std::string log_level = "info";
  /// Replicas that must hold a taken order (Redis WAIT) before it is answered 201; 0: none.
  int redis_ack_replicas = 0;
  /// How long that WAIT may take; fewer replicas by then: 503 (the order stands, unpromised).
  std::chrono::milliseconds redis_ack_timeout = 100ms;
  /// --redis-tls-ca / --redis-tls-cert / --redis-tls-key: PEM files for rediss:// (empty: the
  /// system's CAs, no client certificate).
  std::string redis_tls_ca;
  std::string redis_tls_cert;
  std::string redis_tls_key;
  /// Every voucher's Redis stock split over this many buckets on different slots (1: unsplit).
  unsigned stock_buckets = 1;
  /// Who decides a purchase (issue #6): "lua" (the coordinator's script; embedded: in memory),
  /// "db" (one store transaction per purchase), "lock" (a lock per user around that transaction).
  std::string sale_strategy = "lua";
  /// Who decides a reminder: "lua" (the coordinator's script), "lock" (a lock per ticket, then
  /// the store under it with the fencing token).
  std::string reminder_strategy = "lua";
  /// --rate-limit-user / --rate-limit-ip: none means no limit (the default).
  std::optional<RateLimit> rate_limit_user;
  std::optional<RateLimit> rate_limit_ip;
  /// "text" or "json" (one JSON object a line).
  std::string log_format = "text";
  /// --metrics-listen HOST:PORT: a listener serving only GET /metrics and GET /healthz, and then
  /// /metrics is not served on --listen. Unset (the default): /metrics on --listen.
  std::optional<std::pair<std::string, std::uint16_t>> metrics_listen;
  /// --max-connections-per-address: open connections from one peer address; 0: no cap.
  std::size_t max_connections_per_address = 256;
  /// --trusted-proxies: `CIDR[,CIDR...]` whose X-Forwarded-For is believed (checked by the
  /// command line; http::TrustedProxies::parse); empty: none.
  std::string trusted_proxies;
  /// --drain-delay: on SIGTERM/SIGINT, /readyz answers 503 this long while the listener still
  /// serves (balancers that probe it move away), then the listener closes and requests in flight
  /// finish. 0: close at once.
  std::chrono::milliseconds drain_delay = 2s;
};

struct MigrateConfig {
  std::string postgres_url;
  std::string data_dir = "./data";
  std::string log_level = "info";
};

struct TokenConfig {
  std::uint64_t user_id = 0;
  std::string role = "user";
  std::chrono::milliseconds ttl = 1h;
  std::string jwt_secret;
  /// Tokens for users user_id .. user_id + count - 1, one a line (load generation).
  std::uint64_t count = 1;
};

struct CheckConfig {
  std::vector<std::string> redis_urls;
  std::string redis_sentinel_password;
  std::string redis_tls_ca;  ///< --redis-tls-ca/-cert/-key, as `serve`'s
  std::string redis_tls_cert;
  std::string redis_tls_key;
  std::string postgres_url;
  std::string data_dir = "./data";
  std::string log_level = "warn";
  /// Who decides (as `serve`'s flags): with `db`/`lock` the store's own rules are checked, with
  /// `lua` Redis against them too.
  std::string sale_strategy = "lua";
  std::string reminder_strategy = "lua";
};

/// `seckill bench`: the load generator's options (src/loadgen/bench_options.hpp).
using BenchConfig = loadgen::BenchOptions;

/// `seckill demo`: a whole sale on this machine.
struct DemoConfig {
  std::uint64_t users = 100'000;          ///< distinct buyers, each trying once
  std::int64_t stock = 1'000;             ///< the voucher's stock
  std::uint64_t reminder_users = 20'000;  ///< the reminder storm: new users on one ticket
  unsigned instances = 3;                 ///< `seckill serve` processes (embedded: always 1)
  unsigned connections = 64;              ///< the load generator's connections
  unsigned server_threads = 1;            ///< --threads of each instance
  bool embedded = false;                  ///< the embedded mode even if Redis and PostgreSQL exist
  std::string html_file;                  ///< the sale's report as an HTML page too
};

/// `seckill dead-letters list|replay`: the same backends as `check`.
struct DeadLettersConfig {
  CheckConfig backends;
  bool replay = false;  ///< replay; otherwise list
  /// Only the order dead letters of this voucher (reminders and other vouchers left alone).
  std::optional<std::uint64_t> voucher;
};

/// A verb that is not built yet; it says so and exits 1 rather than pretending.
struct PendingVerb {
  std::string name;
};

using Command = std::variant<ServeConfig, MigrateConfig, TokenConfig, CheckConfig, PendingVerb,
                             BenchConfig, DemoConfig, DeadLettersConfig>;

/// The outcome of reading the command line: a command to run, or an exit code with the text to
/// print (help: 0 on stdout; a usage or configuration error: 2 on stderr, naming the flag).
struct CliExit {
  int code = 0;
  std::string text;
};

std::variant<Command, CliExit> parse_command_line(int argc, const char* const* argv);

}  // namespace seckill::app
