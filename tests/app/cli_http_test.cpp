// The serve flags of the HTTP edge: --trusted-proxies and --max-connections-per-address.
#include <initializer_list>
#include <vector>

#include <gtest/gtest.h>

#include "app/config.hpp"

using namespace seckill::app;

namespace {

std::variant<Command, CliExit> parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv{"seckill"};
  argv.insert(argv.end(), args.begin(), args.end());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

TEST(CliHttp, Defaults) {
  auto cfg = std::get<ServeConfig>(std::get<Command>(parse({"serve"})));
  EXPECT_EQ(cfg.max_connections_per_address, 256U);
  EXPECT_TRUE(cfg.trusted_proxies.empty());
}

TEST(CliHttp, ReadsTheFlags) {
  auto cfg = std::get<ServeConfig>(
      std::get<Command>(parse({"serve", "--trusted-proxies", "10.0.0.0/8,fd00::/8",
                               "--max-connections-per-address", "0"})));
  EXPECT_EQ(cfg.trusted_proxies, "10.0.0.0/8,fd00::/8");
  EXPECT_EQ(cfg.max_connections_per_address, 0U);
}

TEST(CliHttp, BadFlagsExit2NamingTheFlag) {
  for (auto cidr : {"10.0.0.0/33", "nonsense", "10.0.0.0/8,,fd00::/8"}) {
    auto r = parse({"serve", "--trusted-proxies", cidr});
    auto* e = std::get_if<CliExit>(&r);
    ASSERT_NE(e, nullptr) << cidr;
    EXPECT_EQ(e->code, 2);
    EXPECT_NE(e->text.find("--trusted-proxies"), std::string::npos) << e->text;
  }
  auto r = parse({"serve", "--max-connections-per-address", "-1"});
  auto* e = std::get_if<CliExit>(&r);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->code, 2);
  EXPECT_NE(e->text.find("--max-connections-per-address"), std::string::npos) << e->text;
}

}  // namespace
