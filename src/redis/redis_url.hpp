#pragma once
// Where a Redis server is and who we are to it: `redis://[USER:PASSWORD@]HOST:PORT[/DB]`
// (`rediss://` for TLS), or the sentinels that know where it is:
// `redis-sentinel://[USER:PASSWORD@]HOST:PORT[,HOST:PORT...][/DB]#MASTER`, as given by `--redis`
// (see CONTRACT.md).

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace seckill::redis {

/// One sentinel of a `redis-sentinel://` URL.
struct SentinelAddress {
  std::string host;
  std::uint16_t port = 26379;
  friend bool operator==(const SentinelAddress&, const SentinelAddress&) = default;
};

struct RedisUrl {
  std::string host;  ///< a host name, an IPv4 address, or an IPv6 address (no brackets)
  std::uint16_t port = 6379;
  int db = 0;  ///< selected with SELECT on every (re)connect when not 0
  /// AUTH on every (re)connect, before SELECT, when either is not empty: `AUTH user password`
  /// (an ACL user) or `AUTH password` (the default user, `requirepass`). Never printed.
  std::string user{};
  std::string password{};
  bool tls = false;  ///< `rediss://`: TLS, the server's certificate and name verified

  /// `redis-sentinel://`: the master's name and the sentinels asked, in turn, where it is (see
  /// sentinel_resolver.hpp). `host` and `port` are then unknown until a sentinel names them; the
  /// credentials, DB and TLS above are the master's (and its replicas').
  std::string sentinel_master{};
  std::vector<SentinelAddress> sentinels{};
  /// AUTH sent to the sentinels (their `requirepass`), when not empty. Not part of the URL: set
  /// from `--redis-sentinel-password`. Never printed.
  std::string sentinel_password{};

  friend bool operator==(const RedisUrl&, const RedisUrl&) = default;

  /// Whether AUTH is sent on connect.
  bool has_credentials() const { return !user.empty() || !password.empty(); }
  /// Whether the server is found through sentinels (and must answer ROLE as a master).
  bool sentinel() const { return !sentinel_master.empty(); }
};

/// Parses one `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` or `rediss://...` (IPv6 hosts in
/// brackets: `redis://[::1]:6379`). USER and PASSWORD are percent-decoded (`%40` for '@'); the
/// last '@' ends them. The port defaults to 6379 and the DB to 0. Returns a message naming what
/// is wrong otherwise (no scheme, empty host, port not in 1..65535, DB not a non-negative
/// integer, a bad percent escape, query parts, which we do not support); the message never
/// contains the password.
///
/// `redis-sentinel://[[USER]:PASSWORD@]HOST[:PORT][,HOST[:PORT]...][/DB]#MASTER` (Lettuce's form;
/// sentinel ports default to 26379) gives a URL whose `sentinel()` is true: at least one sentinel
/// and a non-empty MASTER are required. Its credentials are the master's, not the sentinels'.
/// TLS to sentinels is not supported.
std::expected<RedisUrl, std::string> parse_redis_url(std::string_view text);

/// Whether `text` is a `redis-sentinel://` URL (whose commas separate sentinels, not URLs).
bool is_sentinel_url(std::string_view text);

/// Parses a comma-separated list of URLs (a Redis Cluster seed list, as `--redis` allows). Every
/// element must be valid and the list not empty (ClientOptions::cluster_seeds takes them).
std::expected<std::vector<RedisUrl>, std::string> parse_redis_urls(std::string_view text);

/// `redis://host:port/db` (`rediss://` for TLS; `redis://user:***@host:port/db` with
/// credentials: the password is never shown; `redis-sentinel://h1:p1,h2:p2/db#master` for a
/// sentinel URL), for logs and messages.
std::string to_string(const RedisUrl& url);

/// `text` with the password of every URL in it replaced by `***` (for printing a URL that may
/// not parse). Text without '@' comes back as it is.
std::string redact_url(std::string_view text);

}  // namespace seckill::redis
