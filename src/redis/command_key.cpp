#include "redis/command_key.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace seckill::redis {
namespace {

bool same(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

// Commands with no key at all: any node serves them.
constexpr std::array<std::string_view, 16> kKeyless{
    "PING",   "PUBLISH", "SCRIPT", "WAIT",  "INFO",   "CLUSTER",  "TIME",     "ECHO",
    "CLIENT", "CONFIG",  "DBSIZE", "HELLO", "ASKING", "READONLY", "FLUSHALL", "COMMAND"};

}  // namespace

std::optional<std::string_view> command_key(std::span<const std::string_view> argv) {
  if (argv.size() < 2) return std::nullopt;
  const std::string_view name = argv[0];
  for (auto keyless : kKeyless) {
    if (same(name, keyless)) return std::nullopt;
  }
  if (same(name, "EVALSHA") || same(name, "EVAL") || same(name, "EVALSHA_RO") ||
      same(name, "EVAL_RO") || same(name, "FCALL")) {
    if (argv.size() < 4 || argv[2] == "0") return std::nullopt;
    return argv[3];
  }
  if (same(name, "XREADGROUP") || same(name, "XREAD")) {
    for (std::size_t i = 1; i + 1 < argv.size(); ++i) {
      if (same(argv[i], "STREAMS")) return argv[i + 1];
    }
    return std::nullopt;
  }
  if (same(name, "XGROUP") || same(name, "XINFO") || same(name, "OBJECT")) {
    if (argv.size() < 3) return std::nullopt;
    return argv[2];
  }
  return argv[1];
}

}  // namespace seckill::redis
