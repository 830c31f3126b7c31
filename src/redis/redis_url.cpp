#include "redis/redis_url.hpp"

#include <charconv>
#include <optional>

#include <climits>
#include <fmt/format.h>

namespace seckill::redis {
namespace {

constexpr std::string_view kScheme = "redis://";
constexpr std::string_view kTlsScheme = "rediss://";
constexpr std::string_view kSentinelScheme = "redis-sentinel://";
constexpr std::uint16_t kSentinelPort = 26379;

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

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 percent-decoding; nullopt on a truncated or non-hex escape.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hex_value(s[i + 1]);
    int lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// The redacted form of one URL: the part of its user information after the first ':' (all of
// it when there is no ':') becomes "***".
std::string redact_one(std::string_view text) {
  auto scheme = text.find("://");
  auto at = text.rfind('@');
  if (at == std::string_view::npos) return std::string(text);
  std::size_t start = scheme == std::string_view::npos || scheme > at ? 0 : scheme + 3;
  std::string_view userinfo = text.substr(start, at - start);
  auto colon = userinfo.find(':');
  std::string out(text.substr(0, start));
  if (colon != std::string_view::npos) {
    out += userinfo.substr(0, colon + 1);
  }
  out += "***";
  out += text.substr(at);
  return out;
}

// `HOST[:PORT]` or `[IPV6][:PORT]` into `host_out` and `port_out` (left as it is without a
// port); what is wrong otherwise.
std::optional<std::string> parse_host_port(std::string_view authority, std::string& host_out,
                                           std::uint16_t& port_out) {
  std::string_view port;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::string("unterminated '[' in host");
    host_out = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::string("expected ':' after ']'");
      port = after.substr(1);
      if (port.empty()) return std::string("empty port");
    }
    if (host_out.empty()) return std::string("empty host");
  } else {
    auto colon = authority.find(':');
    std::string_view host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return std::string("empty port");
    }
    if (host.empty()) return std::string("empty host");
    for (char c : host) {
      if (!valid_host_char(c)) return std::string("invalid character in host");
    }
    host_out = std::string(host);
  }
  if (!port.empty()) {
    unsigned value = 0;
    if (!parse_number(port, value) || value == 0 || value > 65535) {
      return std::string("port must be a number in 1..65535");
    }
    port_out = static_cast<std::uint16_t>(value);
  }
  return std::nullopt;
}

}  // namespace

std::string redact_url(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (true) {
    auto comma = text.find(',', start);
    out += redact_one(text.substr(start, comma - start));
    if (comma == std::string_view::npos) break;
    out += ',';
    start = comma + 1;
  }
  return out;
}

std::expected<RedisUrl, std::string> parse_redis_url(std::string_view text) {
  auto fail = [&](std::string_view why) {
    return std::unexpected(fmt::format("invalid Redis URL '{}': {}", redact_one(text), why));
  };
  RedisUrl url;
  std::string_view rest;
  if (text.starts_with(kScheme)) {
    rest = text.substr(kScheme.size());
  } else if (text.starts_with(kTlsScheme)) {
    rest = text.substr(kTlsScheme.size());
    url.tls = true;
  } else if (text.starts_with(kSentinelScheme)) {
    rest = text.substr(kSentinelScheme.size());
  } else {
    return fail(
        "expected redis://[USER:PASSWORD@]HOST:PORT[/DB], rediss://... or "
        "redis-sentinel://HOST:PORT[,HOST:PORT...][/DB]#MASTER");
  }
  // The last '@' ends the credentials, so an unescaped '@', '/', '?' or '#' in a password works.
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      return fail("credentials must be USER:PASSWORD@ or :PASSWORD@ (no ':' before the '@')");
    }
    auto user = percent_decode(userinfo.substr(0, colon));
    auto password = percent_decode(userinfo.substr(colon + 1));
    if (!user || !password) return fail("bad percent escape in the credentials");
    if (user->empty() && password->empty()) return fail("empty credentials before the '@'");
    url.user = std::move(*user);
    url.password = std::move(*password);
  }
  if (text.starts_with(kSentinelScheme)) {
    auto hash = rest.find('#');
    if (hash == std::string_view::npos) return fail("expected #MASTER after the sentinels");
    url.sentinel_master = std::string(rest.substr(hash + 1));
    rest = rest.substr(0, hash);
    if (url.sentinel_master.empty()) return fail("empty master name after '#'");
    if (url.sentinel_master.find_first_of("#?/@ ") != std::string::npos)
      return fail("invalid character in the master name");
    url.port = 0;
  }
  if (rest.find_first_of("?#") != std::string_view::npos)
    return fail("query parts are not supported");

  std::string_view authority = rest;
  std::string_view path;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    path = rest.substr(slash + 1);
  }

  if (url.sentinel()) {
    std::size_t start = 0;
    while (true) {
      auto comma = authority.find(',', start);
      SentinelAddress sentinel{.host = "", .port = kSentinelPort};
      if (auto why = parse_host_port(authority.substr(start, comma - start), sentinel.host,
                                     sentinel.port)) {
        return fail(*why);
      }
      url.sentinels.push_back(std::move(sentinel));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  } else if (auto why = parse_host_port(authority, url.host, url.port)) {
    return fail(*why);
  }
  if (!path.empty()) {
    int db = 0;
    if (!parse_number(path, db)) return fail("DB must be a non-negative integer");
    url.db = db;
  }
  return url;
}

bool is_sentinel_url(std::string_view text) {
  while (!text.empty() && text.front() == ' ')
    text.remove_prefix(1);
  return text.starts_with(kSentinelScheme);
}

std::expected<std::vector<RedisUrl>, std::string> parse_redis_urls(std::string_view text) {
  std::vector<RedisUrl> urls;
  if (is_sentinel_url(text)) {
    auto url = parse_redis_url(text);
    if (!url) return std::unexpected(url.error());
    urls.push_back(std::move(*url));
    return urls;
  }
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
  std::string credentials;
  if (url.has_credentials()) credentials = url.user + ":***@";
  if (url.sentinel()) {
    std::string sentinels;
    for (const auto& s : url.sentinels) {
      if (!sentinels.empty()) sentinels += ',';
      const bool v6 = s.host.find(':') != std::string::npos;
      sentinels += fmt::format("{}{}{}:{}", v6 ? "[" : "", s.host, v6 ? "]" : "", s.port);
    }
    return fmt::format("{}{}{}/{}#{}", kSentinelScheme, credentials, sentinels, url.db,
                       url.sentinel_master);
  }
  bool v6 = url.host.find(':') != std::string::npos;
  return fmt::format("{}{}{}{}{}:{}/{}", url.tls ? kTlsScheme : kScheme, credentials, v6 ? "[" : "",
                     url.host, v6 ? "]" : "", url.port, url.db);
}

}  // namespace seckill::redis
