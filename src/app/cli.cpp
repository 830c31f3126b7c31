#include <charconv>
#include <limits>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/config.hpp"
#include "core/duration.hpp"
#include "core/rate_limit.hpp"
#include "http/trusted_proxies.hpp"
#include "loadgen/scenario.hpp"

namespace seckill::app {
namespace {

/// A flag's value must parse and satisfy the contract; otherwise the message names the flag.
struct UsageError {
  std::string message;
};

std::chrono::milliseconds positive_duration(const std::string& flag, const std::string& text) {
  auto d = parse_duration(text);
  if (!d) throw UsageError{fmt::format("{}: {}", flag, d.error())};
  if (d->count() <= 0) throw UsageError{fmt::format("{}: must be longer than zero", flag)};
  return *d;
}

std::optional<RateLimit> rate_limit(const std::string& flag, const std::string& text) {
  if (text.empty() || text == "off") return std::nullopt;
  auto limit = parse_rate_limit(text);
  if (!limit) throw UsageError{fmt::format("{}: {}", flag, limit.error())};
  return *limit;
}

// A `redis-sentinel://` URL, whose commas separate its sentinels (parsed when used, by
// redis::parse_redis_url).
bool is_sentinel_url(std::string_view text) {
  return text.starts_with("redis-sentinel://");
}

std::vector<std::string> split_urls(const std::string& text) {
  std::vector<std::string> out;
  // A sentinel URL's commas separate its sentinels: it stays whole.
  if (is_sentinel_url(text)) return {text};
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

/// A URL as it may be shown in a message: what comes before an '@' (user and password) hidden,
/// so that a mistyped URL never puts a password into a terminal log.
std::string redacted(const std::string& url) {
  auto at = url.rfind('@');
  if (at == std::string::npos) return url;
  auto scheme = url.find("://");
  auto start = scheme == std::string::npos || scheme > at ? 0 : scheme + 3;
  return url.substr(0, start) + "***" + url.substr(at);
}

void check_redis_urls(const std::vector<std::string>& urls) {
  for (const auto& u : urls) {
    if (!u.starts_with("redis://") && !u.starts_with("rediss://") && !is_sentinel_url(u)) {
      throw UsageError{
          fmt::format("--redis: '{}' is not a redis://HOST:PORT[/DB] or "
                      "redis-sentinel://HOST:PORT[,HOST:PORT...][/DB]#MASTER URL",
                      redacted(u))};
    }
  }
}

void check_postgres_url(const std::string& url) {
  if (!url.empty() && !url.starts_with("postgresql://") && !url.starts_with("postgres://")) {
    throw UsageError{fmt::format(
        "--postgres: '{}' is not a libpq URI (postgresql://USER@HOST:PORT/DB)", redacted(url))};
  }
}

/// An HS256 key shorter than 32 bytes can be found offline from a single token (CONTRACT.md:
/// refused, exit 2). Empty means "not given"; each verb decides what that means.
void check_jwt_secret(const std::string& secret) {
  if (!secret.empty() && secret.size() < kMinJwtSecretBytes) {
    throw UsageError{fmt::format(
        "--jwt-secret (SECKILL_JWT_SECRET): {} bytes is too short, at least {} are needed "
        "(e.g. `openssl rand -hex 32`)",
        secret.size(), kMinJwtSecretBytes)};
  }
}

void check_log_level(const std::string& level) {
  for (auto ok : {"trace", "debug", "info", "warn", "error"}) {
    if (level == ok) return;
  }
  throw UsageError{
      fmt::format("--log-level: '{}' is not one of trace, debug, info, warn, error", level)};
}

void parse_listen(const std::string& text, ServeConfig& cfg, std::string_view flag = "--listen") {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    throw UsageError{fmt::format("{}: '{}' is not HOST:PORT", flag, text)};
  }
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned port = 0;
  auto port_text = std::string_view(text).substr(colon + 1);
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || port > 65535) {
    throw UsageError{fmt::format("{}: port in '{}' must be 0..65535", flag, text)};
  }
  cfg.listen_host = host;
  cfg.listen_port = static_cast<std::uint16_t>(port);
}

// Shared by the verbs that talk to the backends.
struct BackendFlags {
  std::string redis;
  std::string redis_sentinel_password;
  std::string redis_tls_ca;
  std::string redis_tls_cert;
  std::string redis_tls_key;
  std::string postgres;
  std::string data_dir = "./data";
  std::string log_level;
};

void add_backend_flags(CLI::App* cmd, BackendFlags& f) {
  cmd->add_option("--redis", f.redis,
                  "redis://[USER:PASSWORD@]HOST:PORT[/DB] (rediss:// for TLS); several "
                  "comma-separated for a Redis Cluster; "
                  "redis-sentinel://[USER:PASSWORD@]HOST:PORT[,HOST:PORT...][/DB]#MASTER for a "
                  "master found through Redis Sentinel (the credentials are the master's). "
                  "None: the embedded coordinator")
      ->envname("SECKILL_REDIS");
  cmd->add_option("--redis-sentinel-password", f.redis_sentinel_password,
                  "AUTH sent to the sentinels of a redis-sentinel:// URL (their requirepass) "
                  "[none]")
      ->envname("SECKILL_REDIS_SENTINEL_PASSWORD");
  cmd->add_option("--redis-tls-ca", f.redis_tls_ca,
                  "CA certificate(s) a rediss:// server's certificate must chain to [the system's]")
      ->envname("SECKILL_REDIS_TLS_CA");
  cmd->add_option("--redis-tls-cert", f.redis_tls_cert, "client certificate for rediss://")
      ->envname("SECKILL_REDIS_TLS_CERT");
  cmd->add_option("--redis-tls-key", f.redis_tls_key, "its private key")
      ->envname("SECKILL_REDIS_TLS_KEY");
  cmd->add_option("--postgres", f.postgres, "libpq connection URI. None: the embedded store")
      ->envname("SECKILL_POSTGRES");
  cmd->add_option("--data", f.data_dir, "where the embedded store keeps its files")
      ->envname("SECKILL_DATA")
      ->capture_default_str();
  cmd->add_option("--log-level", f.log_level, "trace, debug, info, warn, error")
      ->envname("SECKILL_LOG_LEVEL");
}

std::chrono::milliseconds non_negative_duration(const std::string& flag, const std::string& text) {
  auto d = parse_duration(text);
  if (!d) throw UsageError{fmt::format("{}: {}", flag, d.error())};
  if (d->count() < 0) throw UsageError{fmt::format("{}: must not be negative", flag)};
  return *d;
}

std::vector<loadgen::Target> parse_targets(const std::vector<std::string>& texts) {
  std::vector<loadgen::Target> out;
  for (const auto& text : texts) {
    for (const auto& one : split_urls(text)) {
      ServeConfig parsed;
      try {
        parse_listen(one, parsed);
      } catch (const UsageError&) {
        throw UsageError{fmt::format("--target: '{}' is not HOST:PORT", one)};
      }
      if (parsed.listen_port == 0) {
        throw UsageError{fmt::format("--target: '{}' needs a port", one)};
      }
      out.push_back(loadgen::Target{parsed.listen_host, parsed.listen_port});
    }
  }
  if (out.empty()) out.push_back(loadgen::Target{});
  return out;
}

}  // namespace

std::variant<Command, CliExit> parse_command_line(int argc, const char* const* argv) {
  CLI::App app{"seckill: flash sales and ticket reminders that stay exact under a crowd"};
  app.require_subcommand(1, 1);
  app.set_help_all_flag("--help-all", "help for every verb");

  // serve
  ServeConfig serve;
  BackendFlags serve_backends;
  serve_backends.log_level = "info";
  std::string listen = "127.0.0.1:8080";
  std::string reminder_window = "15m", reminder_user_window = "15m", reminder_sla = "30m";
  auto* serve_cmd = app.add_subcommand("serve", "run the HTTP service");
  serve_cmd->add_option("--listen", listen, "HOST:PORT to listen on")
      ->envname("SECKILL_LISTEN")
      ->capture_default_str();
  std::string metrics_listen;
  serve_cmd
      ->add_option("--metrics-listen", metrics_listen,
                   "HOST:PORT of a listener for GET /metrics and /healthz only (then /metrics is "
                   "not on --listen) [none: /metrics on --listen]")
      ->envname("SECKILL_METRICS_LISTEN");
  add_backend_flags(serve_cmd, serve_backends);
  serve_cmd
      ->add_option("--jwt-secret", serve.jwt_secret,
                   "HS256 secret for bearer tokens. None: a random one, printed once")
      ->envname("SECKILL_JWT_SECRET");
  std::string token_max_ttl = "24h";
  serve_cmd
      ->add_option("--token-max-ttl", token_max_ttl,
                   "tokens living longer than this (exp - iat, or exp - now) are refused")
      ->envname("SECKILL_TOKEN_MAX_TTL")
      ->capture_default_str();
  serve_cmd->add_option("--threads", serve.threads, "I/O threads [number of cores]")
      ->envname("SECKILL_THREADS")
      ->check(CLI::Range(1u, 256u));
  serve_cmd
      ->add_option("--reminder-window", reminder_window,
                   "window of one main reminder record (900s, 15m, 1h)")
      ->envname("SECKILL_REMINDER_WINDOW")
      ->capture_default_str();
  serve_cmd
      ->add_option("--reminder-user-window", reminder_user_window,
                   "how often one user may remind one ticket")
      ->envname("SECKILL_REMINDER_USER_WINDOW")
      ->capture_default_str();
  serve_cmd
      ->add_option("--reminder-sla", reminder_sla, "an open reminder older than this is overdue")
      ->envname("SECKILL_REMINDER_SLA")
      ->capture_default_str();
  serve_cmd
      ->add_option("--log-format", serve.log_format,
                   "text, or json (one JSON object a line, for log collectors)")
      ->envname("SECKILL_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  serve_cmd
      ->add_option(
          "--redis-ack-replicas", serve.redis_ack_replicas,
          "replicas that must hold a taken order (WAIT) before its 201, and a block of ids "
          "before it is used [0]")
      ->envname("SECKILL_REDIS_ACK_REPLICAS")
      ->check(CLI::Range(0, 16));
  serve_cmd
      ->add_option("--stock-buckets", serve.stock_buckets,
                   "split each voucher's Redis stock over K slots (same K on every instance) [1]")
      ->envname("SECKILL_STOCK_BUCKETS")
      ->check(CLI::Range(1u, 1024u));
  std::string drain_delay = "2s";
  serve_cmd
      ->add_option("--drain-delay", drain_delay,
                   "on SIGTERM, /readyz answers 503 this long while requests are still served, "
                   "then the listener closes (0s: at once)")
      ->envname("SECKILL_DRAIN_DELAY")
      ->capture_default_str();
  std::string redis_ack_timeout = "100ms";
  serve_cmd
      ->add_option("--redis-ack-timeout", redis_ack_timeout,
                   "how long that WAIT may take; fewer replicas by then: 503")
      ->envname("SECKILL_REDIS_ACK_TIMEOUT")
      ->capture_default_str();

  serve_cmd
      ->add_option("--sale-strategy", serve.sale_strategy,
                   "who decides a purchase: lua (the coordinator), db (one store transaction), "
                   "lock (a lock per user around it); see docs/locks.md")
      ->envname("SECKILL_SALE_STRATEGY")
      ->check(CLI::IsMember({"lua", "db", "lock"}))
      ->capture_default_str();
  serve_cmd
      ->add_option("--reminder-strategy", serve.reminder_strategy,
                   "who decides a reminder: lua (the coordinator), lock (a lock per ticket, the "
                   "store under it); see docs/locks.md")
      ->envname("SECKILL_REMINDER_STRATEGY")
      ->check(CLI::IsMember({"lua", "lock"}))
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-connections-per-address", serve.max_connections_per_address,
                   "open connections from one client address (0: no cap; a trusted proxy is "
                   "never capped)")
      ->envname("SECKILL_MAX_CONNECTIONS_PER_ADDRESS")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve_cmd
      ->add_option("--trusted-proxies", serve.trusted_proxies,
                   "CIDR[,CIDR...]: peers whose X-Forwarded-For is believed [none]")
      ->envname("SECKILL_TRUSTED_PROXIES");
  std::string rate_limit_user, rate_limit_ip;
  serve_cmd
      ->add_option("--rate-limit-user", rate_limit_user,
                   "requests per user: R[/s|/m|/h][:BURST], e.g. 10/s or 600/m:50 [off]")
      ->envname("SECKILL_RATE_LIMIT_USER");
  serve_cmd
      ->add_option("--rate-limit-ip", rate_limit_ip,
                   "requests per client address, before the token is checked: R[/s|/m|/h][:BURST] "
                   "[off]")
      ->envname("SECKILL_RATE_LIMIT_IP");

  // migrate
  BackendFlags migrate_backends;
  migrate_backends.log_level = "info";
  auto* migrate_cmd =
      app.add_subcommand("migrate", "apply the schema to the configured store and exit");
  add_backend_flags(migrate_cmd, migrate_backends);

  // token
  TokenConfig token;
  std::string ttl = "1h";
  auto* token_cmd = app.add_subcommand("token", "print a signed bearer token");
  token_cmd->add_option("--user", token.user_id, "the user id (the token's sub)")
      ->required()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{9223372036854775807ULL}));
  token_cmd->add_option("--role", token.role, "user, staff or admin")
      ->check(CLI::IsMember({"user", "staff", "admin"}))
      ->capture_default_str();
  token_cmd
      ->add_option("--ttl", ttl,
                   "how long the token is valid (e.g. 30m, 1h; servers refuse more than their "
                   "--token-max-ttl, 24h by default)")
      ->capture_default_str();
  token_cmd
      ->add_option("--count", token.count,
                   "print tokens for this many users from --user on, one a line")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{10'000'000}));
  token_cmd->add_option("--jwt-secret", token.jwt_secret, "the server's HS256 secret")
      ->envname("SECKILL_JWT_SECRET");

  // check
  BackendFlags check_backends;
  check_backends.log_level = "warn";
  auto* check_cmd = app.add_subcommand(
      "check", "audit the coordinator against the store; exit 1 on any difference");
  add_backend_flags(check_cmd, check_backends);
  CheckConfig check_strategies;
  check_cmd
      ->add_option("--sale-strategy", check_strategies.sale_strategy,
                   "the serve's --sale-strategy: lua audits Redis against the store, db and lock "
                   "the store's own rules")
      ->envname("SECKILL_SALE_STRATEGY")
      ->check(CLI::IsMember({"lua", "db", "lock"}))
      ->capture_default_str();
  check_cmd
      ->add_option("--reminder-strategy", check_strategies.reminder_strategy,
                   "the serve's --reminder-strategy: lua audits Redis against the store, lock the "
                   "store's own rules")
      ->envname("SECKILL_REMINDER_STRATEGY")
      ->check(CLI::IsMember({"lua", "lock"}))
      ->capture_default_str();

  // dead-letters list|replay
  BackendFlags dead_backends;
  dead_backends.log_level = "warn";
  auto* dead_cmd = app.add_subcommand(
      "dead-letters", "the entries the store refused for good: list them, or replay them");
  auto* dead_list = dead_cmd->add_subcommand("list", "print every dead letter with its reason");
  auto* dead_replay = dead_cmd->add_subcommand(
      "replay", "write each dead letter to the store again; exit 1 if any is still refused");
  dead_cmd->require_subcommand(1);
  std::uint64_t dead_voucher = 0;
  for (auto* verb : {dead_list, dead_replay}) {
    add_backend_flags(verb, dead_backends);
    verb->add_option(
            "--voucher", dead_voucher,
            "only the orders of this voucher (the others, and reminders, left as they are)")
        ->check(CLI::Range(std::uint64_t{1}, std::numeric_limits<std::uint64_t>::max()));
  }

  // demo
  DemoConfig demo;
  auto* demo_cmd = app.add_subcommand(
      "demo",
      "a whole flash sale on this machine: starts Redis and PostgreSQL if installed (else the "
      "embedded mode), several instances, many users, then the report and `seckill check`");
  demo_cmd->add_option("--users", demo.users, "distinct buyers, each trying once")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000}))
      ->capture_default_str();
  demo_cmd->add_option("--stock", demo.stock, "the voucher's stock")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000'000}))
      ->capture_default_str();
  demo_cmd
      ->add_option("--reminder-users", demo.reminder_users,
                   "the reminder storm: this many users remind one ticket (0: none)")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{100'000'000}))
      ->capture_default_str();
  demo_cmd->add_option("--instances", demo.instances, "seckill serve processes (embedded: 1)")
      ->check(CLI::Range(1u, 16u))
      ->capture_default_str();
  demo_cmd->add_option("--connections", demo.connections, "load generator connections")
      ->check(CLI::Range(1u, 10000u))
      ->capture_default_str();
  demo_cmd->add_option("--server-threads", demo.server_threads, "--threads of each instance")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  demo_cmd->add_flag("--embedded", demo.embedded,
                     "the embedded mode even when redis-server and PostgreSQL are installed");
  demo_cmd->add_option("--html", demo.html_file, "also write the sale's report as an HTML page");

  // bench
  BenchConfig bench;
  std::string scenario = "healthz", bench_duration = "10s", bench_warmup = "0s";
  std::vector<std::string> targets;
  bool quiet = false;
  auto* bench_cmd = app.add_subcommand("bench", "the load generator");
  bench_cmd
      ->add_option("--scenario", scenario,
                   "healthz, sale, soldout, remind (= remind-new), remind-repeat, mixed")
      ->capture_default_str();
  bench_cmd->add_option("--target", targets,
                        "HOST:PORT of an instance; repeat or comma-separate for several "
                        "[127.0.0.1:8080]");
  bench_cmd->add_option("--connections", bench.connections, "keep-alive connections")
      ->check(CLI::Range(1u, 100000u))
      ->capture_default_str();
  bench_cmd->add_option("--threads", bench.threads, "load generator threads")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  bench_cmd->add_option("--duration", bench_duration, "how long to send (sale: at most)")
      ->capture_default_str();
  bench_cmd->add_option("--warmup", bench_warmup, "a first stretch that is not counted")
      ->capture_default_str();
  bench_cmd
      ->add_option("--rate", bench.rate,
                   "open loop: requests/s in total, latency from the intended send time "
                   "(0: closed loop)")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  bench_cmd
      ->add_option(
          "--users", bench.users,
          "new-user scenarios: this many distinct users, each sending once; the run ends after "
          "the last (0: as many as the duration takes)")
      ->capture_default_str();
  bench_cmd->add_option("--stock", bench.stock, "sale and mixed: the stock of the voucher made")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000'000}))
      ->capture_default_str();
  bench_cmd->add_option("--first-user", bench.first_user, "the first user id")
      ->check(CLI::Range(std::uint64_t{2}, std::uint64_t{1'000'000'000'000'000}))
      ->capture_default_str();
  bench_cmd->add_option("--voucher", bench.voucher, "use this voucher instead of making one");
  bench_cmd->add_option("--ticket", bench.ticket, "the ticket reminded [a fresh one]");
  bench_cmd->add_option("--jwt-secret", bench.jwt_secret, "the servers' HS256 secret")
      ->envname("SECKILL_JWT_SECRET");
  bench_cmd->add_flag("--json", bench.json, "the report as JSON on stdout");
  bench_cmd->add_option("--html", bench.html_file, "also write the report as an HTML page");
  bench_cmd->add_flag("--quiet", quiet, "no progress line on stderr");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return CliExit{0, app.help()};
  } catch (const CLI::CallForAllHelp&) {
    return CliExit{0, app.help("", CLI::AppFormatMode::All)};
  } catch (const CLI::ParseError& e) {
    return CliExit{
        2, fmt::format("seckill: {}\nRun 'seckill --help' for the verbs and flags.", e.what())};
  }

  try {
    if (*serve_cmd) {
      parse_listen(listen, serve);
      if (!metrics_listen.empty()) {
        ServeConfig where;
        parse_listen(metrics_listen, where, "--metrics-listen");
        serve.metrics_listen.emplace(where.listen_host, where.listen_port);
      }
      serve.redis_urls = split_urls(serve_backends.redis);
      check_redis_urls(serve.redis_urls);
      serve.redis_sentinel_password = serve_backends.redis_sentinel_password;
      serve.redis_tls_ca = serve_backends.redis_tls_ca;
      serve.redis_tls_cert = serve_backends.redis_tls_cert;
      serve.redis_tls_key = serve_backends.redis_tls_key;
      serve.postgres_url = serve_backends.postgres;
      check_postgres_url(serve.postgres_url);
      serve.data_dir = serve_backends.data_dir;
      serve.log_level = serve_backends.log_level;
      check_log_level(serve.log_level);
      serve.reminder_window = positive_duration("--reminder-window", reminder_window);
      serve.reminder_user_window =
          positive_duration("--reminder-user-window", reminder_user_window);
      serve.reminder_sla = positive_duration("--reminder-sla", reminder_sla);
      serve.rate_limit_user = rate_limit("--rate-limit-user", rate_limit_user);
      serve.rate_limit_ip = rate_limit("--rate-limit-ip", rate_limit_ip);
      if (auto proxies = http::TrustedProxies::parse(serve.trusted_proxies); !proxies) {
        throw UsageError{fmt::format("--trusted-proxies: {}", proxies.error())};
      }
      serve.redis_ack_timeout = positive_duration("--redis-ack-timeout", redis_ack_timeout);
      if (auto d = parse_duration(drain_delay); !d) {
        throw UsageError{fmt::format("--drain-delay: {}", d.error())};
      } else {
        serve.drain_delay = *d;
      }
      check_jwt_secret(serve.jwt_secret);
      serve.token_max_ttl = std::chrono::duration_cast<std::chrono::seconds>(
          positive_duration("--token-max-ttl", token_max_ttl));
      if (serve.token_max_ttl.count() <= 0) {
        throw UsageError{"--token-max-ttl: must be at least 1s"};
      }
      if (serve.threads == 0) serve.threads = std::max(1u, std::thread::hardware_concurrency());
      return Command{serve};
    }
    if (*migrate_cmd) {
      check_postgres_url(migrate_backends.postgres);
      check_log_level(migrate_backends.log_level);
      return Command{MigrateConfig{migrate_backends.postgres, migrate_backends.data_dir,
                                   migrate_backends.log_level}};
    }
    if (*token_cmd) {
      token.ttl = positive_duration("--ttl", ttl);
      if (token.jwt_secret.empty()) {
        throw UsageError{
            "--jwt-secret (or SECKILL_JWT_SECRET) is required: the token must be signed with "
            "the secret the server uses"};
      }
      check_jwt_secret(token.jwt_secret);
      return Command{token};
    }
    if (*check_cmd) {
      CheckConfig check = check_strategies;
      check.redis_urls = split_urls(check_backends.redis);
      check_redis_urls(check.redis_urls);
      check.redis_sentinel_password = check_backends.redis_sentinel_password;
      check.redis_tls_ca = check_backends.redis_tls_ca;
      check.redis_tls_cert = check_backends.redis_tls_cert;
      check.redis_tls_key = check_backends.redis_tls_key;
      check.postgres_url = check_backends.postgres;
      check_postgres_url(check.postgres_url);
      check.data_dir = check_backends.data_dir;
      check.log_level = check_backends.log_level;
      check_log_level(check.log_level);
      return Command{check};
    }
    if (*dead_cmd) {
      DeadLettersConfig dead;
      dead.replay = dead_replay->parsed();
      if (dead_voucher != 0) dead.voucher = dead_voucher;
      dead.backends.redis_urls = split_urls(dead_backends.redis);
      check_redis_urls(dead.backends.redis_urls);
      dead.backends.redis_sentinel_password = dead_backends.redis_sentinel_password;
      dead.backends.redis_tls_ca = dead_backends.redis_tls_ca;
      dead.backends.redis_tls_cert = dead_backends.redis_tls_cert;
      dead.backends.redis_tls_key = dead_backends.redis_tls_key;
      dead.backends.postgres_url = dead_backends.postgres;
      check_postgres_url(dead.backends.postgres_url);
      dead.backends.data_dir = dead_backends.data_dir;
      dead.backends.log_level = dead_backends.log_level;
      check_log_level(dead.backends.log_level);
      return Command{dead};
    }
    if (*demo_cmd) return Command{demo};
    if (*bench_cmd) {
      auto parsed = loadgen::parse_scenario(scenario);
      if (!parsed) {
        throw UsageError{fmt::format(
            "--scenario: '{}' is not one of healthz, sale, soldout, remind, remind-new, "
            "remind-repeat, mixed",
            scenario)};
      }
      bench.scenario = *parsed;
      bench.targets = parse_targets(targets);
      bench.duration = positive_duration("--duration", bench_duration);
      bench.warmup = non_negative_duration("--warmup", bench_warmup);
      bench.progress = !quiet;
      if (bench.voucher.find_first_not_of("0123456789") != std::string::npos) {
        throw UsageError{fmt::format("--voucher: '{}' is not a decimal id", bench.voucher)};
      }
      if (loadgen::needs_tokens(bench.scenario) && bench.jwt_secret.empty()) {
        throw UsageError{fmt::format(
            "--jwt-secret (or SECKILL_JWT_SECRET) is required for --scenario {}: tokens are "
            "minted with the servers' secret",
            scenario)};
      }
      check_jwt_secret(bench.jwt_secret);
      return Command{bench};
    }
    return Command{PendingVerb{"?"}};
  } catch (const UsageError& e) {
    return CliExit{2, fmt::format("seckill: {}", e.message)};
  }
}

}  // namespace seckill::app
