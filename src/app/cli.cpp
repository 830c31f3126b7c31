#include <charconv>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/config.hpp"
#include "core/duration.hpp"

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

std::vector<std::string> split_urls(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

void check_redis_urls(const std::vector<std::string>& urls) {
  for (const auto& u : urls) {
    if (!u.starts_with("redis://")) {
      throw UsageError{fmt::format("--redis: '{}' is not a redis://HOST:PORT[/DB] URL", u)};
    }
  }
}

void check_postgres_url(const std::string& url) {
  if (!url.empty() && !url.starts_with("postgresql://") && !url.starts_with("postgres://")) {
    throw UsageError{
        fmt::format("--postgres: '{}' is not a libpq URI (postgresql://USER@HOST:PORT/DB)", url)};
  }
}

void check_log_level(const std::string& level) {
  for (auto ok : {"trace", "debug", "info", "warn", "error"}) {
    if (level == ok) return;
  }
  throw UsageError{
      fmt::format("--log-level: '{}' is not one of trace, debug, info, warn, error", level)};
}

void parse_listen(const std::string& text, ServeConfig& cfg) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    throw UsageError{fmt::format("--listen: '{}' is not HOST:PORT", text)};
  }
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned port = 0;
  auto port_text = std::string_view(text).substr(colon + 1);
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || port > 65535) {
    throw UsageError{fmt::format("--listen: port in '{}' must be 0..65535", text)};
  }
  cfg.listen_host = host;
  cfg.listen_port = static_cast<std::uint16_t>(port);
}

// Shared by the verbs that talk to the backends.
struct BackendFlags {
  std::string redis;
  std::string postgres;
  std::string data_dir = "./data";
  std::string log_level;
};

void add_backend_flags(CLI::App* cmd, BackendFlags& f) {
  cmd->add_option("--redis", f.redis,
                  "redis://HOST:PORT[/DB]; several comma-separated for a Redis Cluster. "
                  "None: the embedded coordinator")
      ->envname("SECKILL_REDIS");
  cmd->add_option("--postgres", f.postgres, "libpq connection URI. None: the embedded store")
      ->envname("SECKILL_POSTGRES");
  cmd->add_option("--data", f.data_dir, "where the embedded store keeps its files")
      ->envname("SECKILL_DATA")
      ->capture_default_str();
  cmd->add_option("--log-level", f.log_level, "trace, debug, info, warn, error")
      ->envname("SECKILL_LOG_LEVEL");
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
  add_backend_flags(serve_cmd, serve_backends);
  serve_cmd
      ->add_option("--jwt-secret", serve.jwt_secret,
                   "HS256 secret for bearer tokens. None: a random one, printed once")
      ->envname("SECKILL_JWT_SECRET");
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
      ->add_option("--redis-ack-replicas", serve.redis_ack_replicas,
                   "replicas that must hold a taken order (WAIT) before its 201 [0]")
      ->envname("SECKILL_REDIS_ACK_REPLICAS")
      ->check(CLI::Range(0, 16));
  serve_cmd
      ->add_option("--stock-buckets", serve.stock_buckets,
                   "split each voucher's Redis stock over K slots (same K on every instance) [1]")
      ->envname("SECKILL_STOCK_BUCKETS")
      ->check(CLI::Range(1u, 1024u));
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
  token_cmd->add_option("--ttl", ttl, "how long the token is valid (e.g. 30m, 1h, 7d)")
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

  // not built yet: they parse, say so, and exit 1
  auto* demo_cmd = app.add_subcommand("demo", "a whole flash sale on this machine, with a report");
  auto* bench_cmd = app.add_subcommand("bench", "the load generator");
  bench_cmd->allow_extras();
  demo_cmd->allow_extras();

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
      serve.redis_urls = split_urls(serve_backends.redis);
      check_redis_urls(serve.redis_urls);
      serve.postgres_url = serve_backends.postgres;
      check_postgres_url(serve.postgres_url);
      serve.data_dir = serve_backends.data_dir;
      serve.log_level = serve_backends.log_level;
      check_log_level(serve.log_level);
      serve.reminder_window = positive_duration("--reminder-window", reminder_window);
      serve.reminder_user_window =
          positive_duration("--reminder-user-window", reminder_user_window);
      serve.reminder_sla = positive_duration("--reminder-sla", reminder_sla);
      serve.redis_ack_timeout = positive_duration("--redis-ack-timeout", redis_ack_timeout);
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
      return Command{token};
    }
    if (*check_cmd) {
      CheckConfig check;
      check.redis_urls = split_urls(check_backends.redis);
      check_redis_urls(check.redis_urls);
      check.postgres_url = check_backends.postgres;
      check_postgres_url(check.postgres_url);
      check.data_dir = check_backends.data_dir;
      check.log_level = check_backends.log_level;
      check_log_level(check.log_level);
      return Command{check};
    }
    if (*demo_cmd) return Command{PendingVerb{"demo"}};
    return Command{PendingVerb{"bench"}};
  } catch (const UsageError& e) {
    return CliExit{2, fmt::format("seckill: {}", e.message)};
  }
}

}  // namespace seckill::app
