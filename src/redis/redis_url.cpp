#include "redis/redis_url.hpp"

#include <charconv>

#include <climits>
#include <fmt/format.h>

namespace seckill::redis {
namespace {

constexpr std::string_view kScheme = "redis://";

template <typename T>
bool parse_number(std::string_view s, T& out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool valid_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

}  // namespace

std::expected<RedisUrl, std::string> parse_redis_url(std::string_view text) {
  auto fail = [&](std::string_view why) {
    return std::unexpected(fmt::format("invalid Redis URL '{}': {}", text, why));
  };
  if (!text.starts_with(kScheme)) return fail("expected redis://HOST:PORT[/DB]");
  std::string_view rest = text.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos)
    return fail("query parts are not supported");
  if (rest.find('@') != std::string_view::npos) return fail("credentials are not supported");

  std::string_view authority = rest;
  std::string_view path;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    path = rest.substr(slash + 1);
  }

  RedisUrl url;
  std::string_view port;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("unterminated '[' in host");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("expected ':' after ']'");
      port = after.substr(1);
      if (port.empty()) return fail("empty port");
    }
    if (url.host.empty()) return fail("empty host");
  } else {
    auto colon = authority.find(':');
    std::string_view host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return fail("empty port");
    }
    if (host.empty()) return fail("empty host");
    for (char c : host) {
      if (!valid_host_char(c)) return fail("invalid character in host");
    }
    url.host = std::string(host);
  }
  if (!port.empty()) {
    unsigned value = 0;
    if (!parse_number(port, value) || value == 0 || value > 65535) {
      return fail("port must be a number in 1..65535");
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  if (!path.empty()) {
    int db = 0;
    if (!parse_number(path, db)) return fail("DB must be a non-negative integer");
    url.db = db;
  }
  return url;
}

std::expected<std::vector<RedisUrl>, std::string> parse_redis_urls(std::string_view text) {
  std::vector<RedisUrl> urls;
  std::size_t start = 0;
  while (true) {
    auto comma = text.find(',', start);
    std::string_view item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    auto url = parse_redis_url(item);
    if (!url) return std::unexpected(url.error());
    urls.push_back(std::move(*url));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return urls;
}

std::string to_string(const RedisUrl& url) {
  bool v6 = url.host.find(':') != std::string::npos;
  return fmt::format("redis://{}{}{}:{}/{}", v6 ? "[" : "", url.host, v6 ? "]" : "", url.port,
                     url.db);
}

}  // namespace seckill::redis
