#include <cstdlib>
#include <initializer_list>
#include <vector>

#include <gtest/gtest.h>

#include "app/config.hpp"

using namespace seckill::app;
using namespace std::chrono_literals;

namespace {

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
                             "s3cret", "--threads", "3", "--reminder-window", "900s",
                             "--reminder-user-window", "2m", "--log-level", "debug"}));
  EXPECT_EQ(cfg.listen_host, "0.0.0.0");
  EXPECT_EQ(cfg.listen_port, 9000);
  ASSERT_EQ(cfg.redis_urls.size(), 2u);
  EXPECT_EQ(cfg.redis_urls[1], "redis://127.0.0.1:7001");
  EXPECT_EQ(cfg.postgres_url, "postgresql://u@127.0.0.1:5432/db");
  EXPECT_EQ(cfg.data_dir, "/tmp/x");
  EXPECT_EQ(cfg.jwt_secret, "s3cret");
  EXPECT_EQ(cfg.threads, 3u);
  EXPECT_EQ(cfg.reminder_window, 900s);
  EXPECT_EQ(cfg.reminder_user_window, 2min);
  EXPECT_EQ(cfg.log_level, "debug");
}

TEST(Cli, EnvironmentFillsFlagsAndTheFlagWins) {
  ::setenv("SECKILL_LISTEN", "127.0.0.1:7070", 1);
  ::setenv("SECKILL_REMINDER_WINDOW", "1h", 1);
  ::setenv("SECKILL_JWT_SECRET", "from-env", 1);
  auto from_env = serve_of(parse({"serve"}));
  auto flag_wins = serve_of(parse({"serve", "--listen", "127.0.0.1:6060"}));
  ::unsetenv("SECKILL_LISTEN");
  ::unsetenv("SECKILL_REMINDER_WINDOW");
  ::unsetenv("SECKILL_JWT_SECRET");
  EXPECT_EQ(from_env.listen_port, 7070);
  EXPECT_EQ(from_env.reminder_window, 1h);
  EXPECT_EQ(from_env.jwt_secret, "from-env");
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
        Case{{"token", "--user", "0", "--jwt-secret", "s"}, "--user"},
        Case{{"token", "--jwt-secret", "s"}, "--user"},
        Case{{"token", "--user", "7", "--role", "root", "--jwt-secret", "s"}, "--role"},
        Case{{"token", "--user", "7"}, "--jwt-secret"}}) {
    auto r = parse(c.args);
    EXPECT_EQ(exit_code(r), 2) << *c.args.begin() << " " << c.flag;
    EXPECT_NE(exit_text(r).find(c.flag), std::string::npos) << exit_text(r);
  }
}

TEST(Cli, TokenVerb) {
  auto r = parse({"token", "--user", "42", "--role", "staff", "--ttl", "30m", "--jwt-secret", "k"});
  auto t = std::get<TokenConfig>(std::get<Command>(r));
  EXPECT_EQ(t.user_id, 42u);
  EXPECT_EQ(t.role, "staff");
  EXPECT_EQ(t.ttl, 30min);
  EXPECT_EQ(t.jwt_secret, "k");
}

TEST(Cli, HelpExitsZero) {
  EXPECT_EQ(exit_code(parse({"--help"})), 0);
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
