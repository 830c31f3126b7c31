#pragma once
// Where a Redis server is: `redis://HOST:PORT[/DB]`, as given by `--redis` (see CONTRACT.md).

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

  friend bool operator==(const RedisUrl&, const RedisUrl&) = default;
};

/// Parses one `redis://HOST[:PORT][/DB]` (IPv6 hosts in brackets: `redis://[::1]:6379`). The port
/// defaults to 6379 and the DB to 0. Returns a message naming what is wrong otherwise (no scheme,
/// empty host, port not in 1..65535, DB not a non-negative integer, credentials or query parts,
/// which we do not support).
std::expected<RedisUrl, std::string> parse_redis_url(std::string_view text);

/// Parses a comma-separated list of URLs (a Redis Cluster seed list, as `--redis` allows). Every
/// element must be valid and the list not empty (ClientOptions::cluster_seeds takes them).
std::expected<std::vector<RedisUrl>, std::string> parse_redis_urls(std::string_view text);

/// `redis://host:port/db`, for logs and messages.
std::string to_string(const RedisUrl& url);

}  // namespace seckill::redis
