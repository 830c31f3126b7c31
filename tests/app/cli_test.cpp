#include <cstdlib>
#include <initializer_list>
#include <vector>

#include <gtest/gtest.h>

#include "app/config.hpp"

using namespace seckill::app;
using namespace std::chrono_literals;

namespace {

// 32 bytes: the shortest secret the contract accepts.
constexpr const char* kSecret = "0123456789abcdef0123456789abcdef";
constexpr const char* kEnvSecret = "from-env-from-env-from-env-from-env";

std::variant<Command, CliExit> parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv{"seckill"};
  argv.insert(argv.end(), args.begin(), args.end());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

int exit_code(const std::variant<Command, CliExit>& r) {
  auto* e = std::get_if<CliExit>(&r);
  return e ? e->code : -1;
}

std::string exit_text(const std::variant<Command, CliExit>& r) {
  auto* e = std::get_if<CliExit>(&r);
  return e ? e->text : "";
}

ServeConfig serve_of(const std::variant<Command, CliExit>& r) {
  return std::get<ServeConfig>(std::get<Command>(r));
}

}  // namespace

TEST(Cli, ServeDefaultsFollowTheContract) {
  auto cfg = serve_of(parse({"serve"}));
  EXPECT_EQ(cfg.listen_host, "127.0.0.1");
  EXPECT_EQ(cfg.listen_port, 8080);
  EXPECT_TRUE(cfg.redis_urls.empty());
  EXPECT_TRUE(cfg.postgres_url.empty());
  EXPECT_EQ(cfg.data_dir, "./data");
  EXPECT_EQ(cfg.reminder_window, 15min);
  EXPECT_EQ(cfg.reminder_user_window, 15min);
  EXPECT_EQ(cfg.log_level, "info");
  EXPECT_GE(cfg.threads, 1u);
}

TEST(Cli, ServeReadsEveryFlag) {
  auto cfg = serve_of(parse({"serve", "--listen", "0.0.0.0:9000", "--redis",
                             "redis://127.0.0.1:7000,redis://127.0.0.1:7001", "--postgres",
                             "postgresql://u@127.0.0.1:5432/db", "--data", "/tmp/x", "--jwt-secret",
                             kSecret, "--threads", "3", "--reminder-window", "900s",
                             "--reminder-user-window", "2m", "--log-level", "debug"}));
  EXPECT_EQ(cfg.listen_host, "0.0.0.0");
  EXPECT_EQ(cfg.listen_port, 9000);
  ASSERT_EQ(cfg.redis_urls.size(), 2u);
  EXPECT_EQ(cfg.redis_urls[1], "redis://127.0.0.1:7001");
  EXPECT_EQ(cfg.postgres_url, "postgresql://u@127.0.0.1:5432/db");
  EXPECT_EQ(cfg.data_dir, "/tmp/x");
  EXPECT_EQ(cfg.jwt_secret, kSecret);
  EXPECT_EQ(cfg.threads, 3u);
  EXPECT_EQ(cfg.reminder_window, 900s);
  EXPECT_EQ(cfg.reminder_user_window, 2min);
  EXPECT_EQ(cfg.log_level, "debug");
}

TEST(Cli, EnvironmentFillsFlagsAndTheFlagWins) {
  ::setenv("SECKILL_LISTEN", "127.0.0.1:7070", 1);
  ::setenv("SECKILL_REMINDER_WINDOW", "1h", 1);
  ::setenv("SECKILL_JWT_SECRET", kEnvSecret, 1);
  auto from_env = serve_of(parse({"serve"}));
  auto flag_wins = serve_of(parse({"serve", "--listen", "127.0.0.1:6060"}));
  ::unsetenv("SECKILL_LISTEN");
  ::unsetenv("SECKILL_REMINDER_WINDOW");
  ::unsetenv("SECKILL_JWT_SECRET");
  EXPECT_EQ(from_env.listen_port, 7070);
  EXPECT_EQ(from_env.reminder_window, 1h);
  EXPECT_EQ(from_env.jwt_secret, kEnvSecret);
  EXPECT_EQ(flag_wins.listen_port, 6060);
}

TEST(Cli, BadUsageExitsTwoNamingTheFlag) {
  EXPECT_EQ(exit_code(parse({})), 2);
  EXPECT_EQ(exit_code(parse({"frobnicate"})), 2);
  EXPECT_EQ(exit_code(parse({"serve", "--no-such-flag"})), 2);
  struct Case {
    std::initializer_list<const char*> args;
    const char* flag;
  };
  for (const auto& c :
       {Case{{"serve", "--reminder-window", "0s"}, "--reminder-window"},
        Case{{"serve", "--reminder-window", "-5m"}, "--reminder-window"},
        Case{{"serve", "--reminder-user-window", "15"}, "--reminder-user-window"},
        Case{{"serve", "--reminder-user-window", "abc"}, "--reminder-user-window"},
        Case{{"serve", "--listen", "nonsense"}, "--listen"},
        Case{{"serve", "--listen", "127.0.0.1:99999"}, "--listen"},
        Case{{"serve", "--redis", "http://x"}, "--redis"},
        Case{{"serve", "--postgres", "nonsense"}, "--postgres"},
        Case{{"serve", "--log-level", "loud"}, "--log-level"},
        Case{{"serve", "--threads", "0"}, "--threads"},
        Case{{"token", "--user", "0", "--jwt-secret", kSecret}, "--user"},
        Case{{"token", "--jwt-secret", kSecret}, "--user"},
        Case{{"token", "--user", "7", "--role", "root", "--jwt-secret", kSecret}, "--role"},
        Case{{"token", "--user", "7"}, "--jwt-secret"}}) {
    auto r = parse(c.args);
    EXPECT_EQ(exit_code(r), 2) << *c.args.begin() << " " << c.flag;
    EXPECT_NE(exit_text(r).find(c.flag), std::string::npos) << exit_text(r);
  }
}

TEST(Cli, TokenVerb) {
  auto r =
      parse({"token", "--user", "42", "--role", "staff", "--ttl", "30m", "--jwt-secret", kSecret});
  auto t = std::get<TokenConfig>(std::get<Command>(r));
  EXPECT_EQ(t.user_id, 42u);
  EXPECT_EQ(t.role, "staff");
  EXPECT_EQ(t.ttl, 30min);
  EXPECT_EQ(t.jwt_secret, kSecret);
}

TEST(Cli, AJwtSecretShorterThan32BytesIsRefusedNamingTheFlag) {
  constexpr const char* kShort = "0123456789abcdef0123456789abcde";  // 31 bytes
  for (auto args : std::vector<std::vector<const char*>>{
           {"serve", "--jwt-secret", "demo-secret"},
           {"serve", "--jwt-secret", kShort},
           {"token", "--user", "7", "--jwt-secret", kShort},
           {"bench", "--scenario", "sale", "--jwt-secret", kShort},
           {"bench", "--jwt-secret", "short-secret"}}) {
    std::vector<const char*> argv{"seckill"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = parse_command_line(static_cast<int>(argv.size()), argv.data());
    EXPECT_EQ(exit_code(r), 2) << args[0] << " " << args.back();
    EXPECT_NE(exit_text(r).find("--jwt-secret"), std::string::npos) << exit_text(r);
    EXPECT_EQ(exit_text(r).find(args.back()), std::string::npos) << "never echo the secret";
  }
  // The environment variable is the same flag.
  ::setenv("SECKILL_JWT_SECRET", "demo-secret", 1);
  auto serve = parse({"serve"});
  auto token = parse({"token", "--user", "7"});
  ::setenv("SECKILL_JWT_SECRET", kSecret, 1);
  auto serve_ok = parse({"serve"});
  ::unsetenv("SECKILL_JWT_SECRET");
  EXPECT_EQ(exit_code(serve), 2);
  EXPECT_NE(exit_text(serve).find("--jwt-secret"), std::string::npos) << exit_text(serve);
  EXPECT_EQ(exit_code(token), 2);
  EXPECT_EQ(serve_of(serve_ok).jwt_secret, kSecret);
  // 32 bytes is enough, and none at all is still the contract's random secret.
  EXPECT_EQ(serve_of(parse({"serve", "--jwt-secret", kSecret})).jwt_secret, kSecret);
  EXPECT_TRUE(serve_of(parse({"serve"})).jwt_secret.empty());
}

TEST(Cli, HelpExitsZero) {
  EXPECT_EQ(exit_code(parse({"--help"})), 0);
}

TEST(Cli, BenchDefaultsAndFlags) {
  auto healthz = std::get<BenchConfig>(std::get<Command>(parse({"bench"})));
  EXPECT_EQ(healthz.scenario, seckill::loadgen::Scenario::healthz);
  ASSERT_EQ(healthz.targets.size(), 1u);
  EXPECT_EQ(healthz.targets[0].port, 8080);
  EXPECT_EQ(healthz.connections, 64u);
  EXPECT_EQ(healthz.duration, 10s);
  EXPECT_EQ(healthz.rate, 0);
  EXPECT_TRUE(healthz.progress);

  auto sale = std::get<BenchConfig>(std::get<Command>(parse({"bench",
                                                             "--scenario",
                                                             "sale",
                                                             "--target",
                                                             "127.0.0.1:9001,127.0.0.1:9002",
                                                             "--target",
                                                             "localhost:9003",
                                                             "--connections",
                                                             "100",
                                                             "--threads",
                                                             "2",
                                                             "--duration",
                                                             "3s",
                                                             "--warmup",
                                                             "500ms",
                                                             "--rate",
                                                             "20000",
                                                             "--users",
                                                             "5000",
                                                             "--stock",
                                                             "10",
                                                             "--jwt-secret",
                                                             kSecret,
                                                             "--json",
                                                             "--html",
                                                             "/tmp/r.html",
                                                             "--quiet"})));
  EXPECT_EQ(sale.scenario, seckill::loadgen::Scenario::sale);
  ASSERT_EQ(sale.targets.size(), 3u);
  EXPECT_EQ(sale.targets[1].port, 9002);
  EXPECT_EQ(sale.targets[2].host, "localhost");
  EXPECT_EQ(sale.connections, 100u);
  EXPECT_EQ(sale.threads, 2u);
  EXPECT_EQ(sale.duration, 3s);
  EXPECT_EQ(sale.warmup, 500ms);
  EXPECT_EQ(sale.rate, 20000);
  EXPECT_EQ(sale.users, 5000u);
  EXPECT_EQ(sale.stock, 10);
  EXPECT_EQ(sale.jwt_secret, kSecret);
  EXPECT_TRUE(sale.json);
  EXPECT_EQ(sale.html_file, "/tmp/r.html");
  EXPECT_FALSE(sale.progress);

  auto remind = std::get<BenchConfig>(
      std::get<Command>(parse({"bench", "--scenario", "remind", "--jwt-secret", kSecret})));
  EXPECT_EQ(remind.scenario, seckill::loadgen::Scenario::remind_new);
}

TEST(Cli, BenchBadUsageExitsTwoNamingTheFlag) {
  EXPECT_EQ(exit_code(parse({"bench", "--scenario", "nope"})), 2);
  EXPECT_NE(exit_text(parse({"bench", "--scenario", "nope"})).find("--scenario"),
            std::string::npos);
  EXPECT_EQ(exit_code(parse({"bench", "--scenario", "sale"})), 2);  // no secret
  EXPECT_NE(exit_text(parse({"bench", "--scenario", "sale"})).find("--jwt-secret"),
            std::string::npos);
  EXPECT_EQ(exit_code(parse({"bench", "--target", "nohostport"})), 2);
  EXPECT_NE(exit_text(parse({"bench", "--target", "nohostport"})).find("--target"),
            std::string::npos);
  EXPECT_EQ(exit_code(parse({"bench", "--duration", "0s"})), 2);
  EXPECT_EQ(exit_code(parse({"bench", "--duration", "10"})), 2);
  EXPECT_EQ(exit_code(parse({"bench", "--connections", "0"})), 2);
  EXPECT_EQ(exit_code(parse({"bench", "--voucher", "12x"})), 2);
}

TEST(Cli, DemoDefaultsAndScaledDown) {
  auto d = std::get<DemoConfig>(std::get<Command>(parse({"demo"})));
  EXPECT_EQ(d.users, 100'000u);
  EXPECT_EQ(d.stock, 1000);
  EXPECT_EQ(d.instances, 3u);
  EXPECT_FALSE(d.embedded);
  auto small = std::get<DemoConfig>(std::get<Command>(
      parse({"demo", "--users", "500", "--stock", "50", "--reminder-users", "0", "--embedded"})));
  EXPECT_EQ(small.users, 500u);
  EXPECT_EQ(small.stock, 50);
  EXPECT_EQ(small.reminder_users, 0u);
  EXPECT_TRUE(small.embedded);
  EXPECT_EQ(exit_code(parse({"demo", "--users", "0"})), 2);
  EXPECT_EQ(exit_code(parse({"demo", "--instances", "0"})), 2);
}

TEST(Cli, StrategiesDefaultToLuaAndAcceptOnlyTheirNames) {
  auto defaults = serve_of(parse({"serve"}));
  EXPECT_EQ(defaults.sale_strategy, "lua");
  EXPECT_EQ(defaults.reminder_strategy, "lua");
  auto chosen = serve_of(parse({"serve", "--sale-strategy", "db", "--reminder-strategy", "lock"}));
  EXPECT_EQ(chosen.sale_strategy, "db");
  EXPECT_EQ(chosen.reminder_strategy, "lock");
  ::setenv("SECKILL_SALE_STRATEGY", "lock", 1);
  EXPECT_EQ(serve_of(parse({"serve"})).sale_strategy, "lock");
  ::unsetenv("SECKILL_SALE_STRATEGY");
  auto bad = parse({"serve", "--sale-strategy", "redlock"});
  EXPECT_EQ(exit_code(bad), 2);
  EXPECT_NE(exit_text(bad).find("--sale-strategy"), std::string::npos) << exit_text(bad);
  EXPECT_EQ(exit_code(parse({"serve", "--reminder-strategy", "db"})), 2);
}

TEST(Cli, RateLimitsAreOffByDefaultAndReadFromFlagsOrEnvironment) {
  auto defaults = serve_of(parse({"serve"}));
  EXPECT_FALSE(defaults.rate_limit_user);
  EXPECT_FALSE(defaults.rate_limit_ip);

  auto cfg = serve_of(parse({"serve", "--rate-limit-user", "10/s:20", "--rate-limit-ip", "600/m"}));
  ASSERT_TRUE(cfg.rate_limit_user);
  EXPECT_EQ(*cfg.rate_limit_user, (seckill::RateLimit{10, 1s, 20}));
  ASSERT_TRUE(cfg.rate_limit_ip);
  EXPECT_EQ(*cfg.rate_limit_ip, (seckill::RateLimit{600, 1min, 600}));

  ::setenv("SECKILL_RATE_LIMIT_IP", "5", 1);
  auto env = serve_of(parse({"serve"}));
  ::unsetenv("SECKILL_RATE_LIMIT_IP");
  ASSERT_TRUE(env.rate_limit_ip);
  EXPECT_EQ(env.rate_limit_ip->count, 5);

  EXPECT_FALSE(serve_of(parse({"serve", "--rate-limit-user", "off"})).rate_limit_user);
}

TEST(Cli, BadRateLimitsExitTwoNamingTheFlag) {
  for (auto bad : {"0/s", "ten", "10/d", "10/s:0"}) {
    auto r = parse({"serve", "--rate-limit-user", bad});
    EXPECT_EQ(exit_code(r), 2) << bad;
    EXPECT_NE(exit_text(r).find("--rate-limit-user"), std::string::npos) << exit_text(r);
    auto ip = parse({"serve", "--rate-limit-ip", bad});
    EXPECT_EQ(exit_code(ip), 2) << bad;
    EXPECT_NE(exit_text(ip).find("--rate-limit-ip"), std::string::npos) << exit_text(ip);
  }
}

TEST(Cli, MistypedUrlsNeverEchoAPassword) {
  auto pg = parse({"serve", "--postgres", "postgress://bob:hunter2@db/x"});
  EXPECT_EQ(exit_code(pg), 2);
  EXPECT_EQ(exit_text(pg).find("hunter2"), std::string::npos) << exit_text(pg);
  EXPECT_NE(exit_text(pg).find("@db/x"), std::string::npos) << exit_text(pg);
  auto redis = parse({"serve", "--redis", "redis:/:hunter2@cache:6379"});
  EXPECT_EQ(exit_code(redis), 2);
  EXPECT_EQ(exit_text(redis).find("hunter2"), std::string::npos) << exit_text(redis);
}

// Issue #15: dead letters are read back with the same backend flags as `check`.
TEST(Cli, DeadLettersListAndReplay) {
  auto listed = parse({"dead-letters", "list", "--redis", "redis://127.0.0.1:1", "--postgres",
                       "postgresql://x@127.0.0.1:2/db"});
  ASSERT_TRUE(std::holds_alternative<Command>(listed)) << exit_text(listed);
  const auto& list = std::get<DeadLettersConfig>(std::get<Command>(listed));
  EXPECT_FALSE(list.replay);
  EXPECT_EQ(list.backends.redis_urls, std::vector<std::string>{"redis://127.0.0.1:1"});
  EXPECT_EQ(list.backends.postgres_url, "postgresql://x@127.0.0.1:2/db");
  auto replayed = parse({"dead-letters", "replay", "--redis", "redis://127.0.0.1:1"});
  ASSERT_TRUE(std::holds_alternative<Command>(replayed)) << exit_text(replayed);
  EXPECT_TRUE(std::get<DeadLettersConfig>(std::get<Command>(replayed)).replay);
  EXPECT_EQ(exit_code(parse({"dead-letters"})), 2) << "a verb is required";
}

TEST(Cli, TokenMaxTtlDefaultsToADayAndIsReadFromFlagOrEnvironment) {
  EXPECT_EQ(serve_of(parse({"serve"})).token_max_ttl, 24h);
  EXPECT_EQ(serve_of(parse({"serve", "--token-max-ttl", "2h"})).token_max_ttl, 2h);
  ::setenv("SECKILL_TOKEN_MAX_TTL", "90m", 1);
  auto env = parse({"serve"});
  ::unsetenv("SECKILL_TOKEN_MAX_TTL");
  EXPECT_EQ(serve_of(env).token_max_ttl, 90min);
  for (auto bad : {"0s", "10", "soon", "500ms"}) {
    auto r = parse({"serve", "--token-max-ttl", bad});
    EXPECT_EQ(exit_code(r), 2) << bad;
    EXPECT_NE(exit_text(r).find("--token-max-ttl"), std::string::npos) << exit_text(r);
  }
}

// Issue #21: how long /readyz answers 503 on SIGTERM before the listener closes; 0s allowed.
TEST(Cli, DrainDelayDefaultsToTwoSecondsAndIsReadFromFlagOrEnvironment) {
  EXPECT_EQ(serve_of(parse({"serve"})).drain_delay, 2s);
  EXPECT_EQ(serve_of(parse({"serve", "--drain-delay", "0s"})).drain_delay, 0s);
  ::setenv("SECKILL_DRAIN_DELAY", "10s", 1);
  auto env = parse({"serve"});
  ::unsetenv("SECKILL_DRAIN_DELAY");
  EXPECT_EQ(serve_of(env).drain_delay, 10s);
  for (auto bad : {"10", "soon", "-1s"}) {
    auto r = parse({"serve", "--drain-delay", bad});
    EXPECT_EQ(exit_code(r), 2) << bad;
    EXPECT_NE(exit_text(r).find("--drain-delay"), std::string::npos) << exit_text(r);
  }
}

// Issue #16: a sentinel URL's commas separate its sentinels, so it is one URL, on every verb that
// takes --redis; the sentinels' own password comes from its flag (or environment).
TEST(Cli, ASentinelUrlIsNotSplit) {
  const std::string url = "redis-sentinel://:pw@127.0.0.1:26379,127.0.0.1:26380#seckill";
  auto cfg = serve_of(parse({"serve", "--redis", url.c_str(), "--redis-sentinel-password", "spw"}));
  EXPECT_EQ(cfg.redis_urls, std::vector<std::string>{url});
  EXPECT_EQ(cfg.redis_sentinel_password, "spw");

  auto checked = parse({"check", "--redis", url.c_str(), "--redis-sentinel-password", "spw"});
  ASSERT_TRUE(std::holds_alternative<Command>(checked)) << exit_text(checked);
  const auto& check = std::get<CheckConfig>(std::get<Command>(checked));
  EXPECT_EQ(check.redis_urls, std::vector<std::string>{url});
  EXPECT_EQ(check.redis_sentinel_password, "spw");

  auto listed = parse({"dead-letters", "list", "--redis", url.c_str()});
  ASSERT_TRUE(std::holds_alternative<Command>(listed)) << exit_text(listed);
  EXPECT_EQ(std::get<DeadLettersConfig>(std::get<Command>(listed)).backends.redis_urls,
            std::vector<std::string>{url});

  auto wrong = parse({"serve", "--redis", "redis-sentinl://:hunter2@h:1#m"});
  EXPECT_EQ(exit_code(wrong), 2);
  EXPECT_EQ(exit_text(wrong).find("hunter2"), std::string::npos) << exit_text(wrong);
}

// Every verb that opens Redis connections takes the TLS files (`check` and `dead-letters` audit
// a rediss:// Redis with a private CA as `serve` uses it).
TEST(Cli, EveryRedisVerbTakesTheTlsFiles) {
  const char* url = "rediss://127.0.0.1:6380";
  auto cfg = serve_of(parse({"serve", "--redis", url, "--redis-tls-ca", "/ca.pem",
                             "--redis-tls-cert", "/c.pem", "--redis-tls-key", "/k.pem"}));
  EXPECT_EQ(cfg.redis_tls_ca, "/ca.pem");
  EXPECT_EQ(cfg.redis_tls_cert, "/c.pem");
  EXPECT_EQ(cfg.redis_tls_key, "/k.pem");

  auto checked =
      parse({"check", "--redis", url, "--postgres", "postgresql://h/db", "--redis-tls-ca",
             "/ca.pem", "--redis-tls-cert", "/c.pem", "--redis-tls-key", "/k.pem"});
  ASSERT_TRUE(std::holds_alternative<Command>(checked)) << exit_text(checked);
  const auto& check = std::get<CheckConfig>(std::get<Command>(checked));
  EXPECT_EQ(check.redis_tls_ca, "/ca.pem");
  EXPECT_EQ(check.redis_tls_cert, "/c.pem");
  EXPECT_EQ(check.redis_tls_key, "/k.pem");

  auto replay = parse({"dead-letters", "replay", "--redis", url, "--redis-tls-ca", "/ca.pem"});
  ASSERT_TRUE(std::holds_alternative<Command>(replay)) << exit_text(replay);
  EXPECT_EQ(std::get<DeadLettersConfig>(std::get<Command>(replay)).backends.redis_tls_ca,
            "/ca.pem");
}
