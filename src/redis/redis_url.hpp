#pragma once
// Where a Redis server is and who we are to it: `redis://[USER:PASSWORD@]HOST:PORT[/DB]`
// (`rediss://` for TLS), as given by `--redis` (see CONTRACT.md).

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace seckill::redis {

struct RedisUrl {
  std::string host;  ///< a host name, an IPv4 address, or an IPv6 address (no brackets)
  std::uint16_t port = 6379;
  int db = 0;  ///< selected with SELECT on every (re)connect when not 0
  /// AUTH on every (re)connect, before SELECT, when either is not empty: `AUTH user password`
  /// (an ACL user) or `AUTH password` (the default user, `requirepass`). Never printed.
  std::string user{};
  std::string password{};
  bool tls = false;  ///< `rediss://`: TLS, the server's certificate and name verified

  friend bool operator==(const RedisUrl&, const RedisUrl&) = default;

  /// Whether AUTH is sent on connect.
  bool has_credentials() const { return !user.empty() || !password.empty(); }
};

/// Parses one `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` or `rediss://...` (IPv6 hosts in
/// brackets: `redis://[::1]:6379`). USER and PASSWORD are percent-decoded (`%40` for '@'); the
/// last '@' ends them. The port defaults to 6379 and the DB to 0. Returns a message naming what
/// is wrong otherwise (no scheme, empty host, port not in 1..65535, DB not a non-negative
/// integer, a bad percent escape, query parts, which we do not support); the message never
/// contains the password.
std::expected<RedisUrl, std::string> parse_redis_url(std::string_view text);

/// Parses a comma-separated list of URLs (a Redis Cluster seed list, as `--redis` allows). Every
/// element must be valid and the list not empty (ClientOptions::cluster_seeds takes them).
std::expected<std::vector<RedisUrl>, std::string> parse_redis_urls(std::string_view text);

/// `redis://host:port/db` (`rediss://` for TLS; `redis://user:***@host:port/db` with
/// credentials: the password is never shown), for logs and messages.
std::string to_string(const RedisUrl& url);

/// `text` with the password of every URL in it replaced by `***` (for printing a URL that may
/// not parse). Text without '@' comes back as it is.
std::string redact_url(std::string_view text);

}  // namespace seckill::redis
