#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "app/child_processes.hpp"
#include "auth/token_signer.hpp"
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/test_env.hpp"

namespace {

using seckill::app::ChildProcesses;
using seckill::app::serve_child;
namespace testing_ = seckill::testing;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

constexpr const char* kSecret = "child-secret-0123456789abcdef-0123456789abcdef";

TEST(ServeChild, TheSecretGoesIntoTheEnvironmentNotTheCommandLine) {
  auto child = serve_child("/path/seckill", {"--listen", "127.0.0.1:1", "--threads", "1"}, kSecret);
  ASSERT_GE(child.argv.size(), 2u);
  EXPECT_EQ(child.argv[0], "/path/seckill");
  EXPECT_EQ(child.argv[1], "serve");
  for (const auto& a : child.argv) {
    EXPECT_EQ(a.find(kSecret), std::string::npos) << a;
    EXPECT_NE(a, "--jwt-secret");
  }
  ASSERT_EQ(child.env.size(), 1u);
  EXPECT_EQ(child.env[0].first, "SECKILL_JWT_SECRET");
  EXPECT_EQ(child.env[0].second, kSecret);
}

// The demo's way of starting an instance, on the real binary: its /proc/PID/cmdline (what `ps`
// shows every user) holds no secret, and the secret reached it (a token signed with it works).
TEST(ServeChild, ARunningInstanceShowsNoSecretInItsCommandLineAndAcceptsItsTokens) {
  const auto port = testing_::free_port();
  char dir[] = "/tmp/seckill-child-secret-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  auto child = serve_child(testing_::seckill_binary(),
                           {"--listen", fmt::format("127.0.0.1:{}", port), "--data", dir,
                            "--threads", "1", "--log-level", "warn"},
                           kSecret);
  {
    ChildProcesses children;
    const pid_t pid =
        children.start(child.argv, std::string(dir) + "/serve.log", {}, SIGTERM, child.env);
    testing_::wait_for_port(port);
    const std::string cmdline = read_all(fmt::format("/proc/{}/cmdline", pid));
    EXPECT_NE(cmdline.find("serve"), std::string::npos) << "not the instance's command line";
    EXPECT_EQ(cmdline.find(kSecret), std::string::npos) << "the secret is visible in ps";
    EXPECT_EQ(cmdline.find("--jwt-secret"), std::string::npos);

    const auto token = seckill::auth::TokenSigner(kSecret).sign(7, seckill::auth::Role::user,
                                                                std::chrono::minutes(5));
    testing_::HttpClient client("127.0.0.1", port);
    // A voucher that does not exist: 404 behind a token the instance accepts, 401 otherwise.
    EXPECT_EQ(client.request("GET", "/api/v1/vouchers/1", token).status, 404);
    const auto other = seckill::auth::TokenSigner("another-secret-0123456789abcdef-0123456789")
                           .sign(7, seckill::auth::Role::user, std::chrono::minutes(5));
    EXPECT_EQ(client.request("GET", "/api/v1/vouchers/1", other).status, 401);
    EXPECT_EQ(children.stop(pid, std::chrono::seconds(10)) & 0x7f, 0) << "ended by a signal";
  }
  EXPECT_EQ(read_all(std::string(dir) + "/serve.log").find(kSecret), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
