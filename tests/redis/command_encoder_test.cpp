#include "redis/command_encoder.hpp"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

namespace seckill::redis {
namespace {

// hiredis's formatter is the reference: our encoder must produce the same bytes.
std::string hiredis_format(const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (auto a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  char* out = nullptr;
  int n = redisFormatCommandArgv(&out, static_cast<int>(args.size()), argv.data(), lens.data());
  std::unique_ptr<char, decltype(&redisFreeCommand)> owned(out, &redisFreeCommand);
  return std::string(out, static_cast<std::size_t>(n));
}

TEST(CommandEncoder, MatchesHiredis) {
  const std::string binary("a\0\r\nb", 5);
  const std::string big(100000, 'x');
  const std::vector<std::vector<std::string_view>> commands = {
      {"PING"},
      {"INCR", "counter"},
      {"SET", "k", ""},
      {"SET", binary, big},
      {"EVALSHA", "0123456789abcdef0123456789abcdef01234567", "1", "k", "v"},
  };
  for (const auto& args : commands) {
    EXPECT_EQ(encode_command(args), hiredis_format(args));
    EXPECT_EQ(encoded_size(args), hiredis_format(args).size());
  }
}

TEST(CommandEncoder, AppendsToExistingBuffer) {
  std::string out = "prefix";
  const std::vector<std::string_view> args{"INCR", "k"};
  append_command(out, args);
  EXPECT_EQ(out, "prefix*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n");
}

}  // namespace
}  // namespace seckill::redis
