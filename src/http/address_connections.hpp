#pragma once
// Internal to the server: open connections counted per client address, over all I/O threads.

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include <boost/asio/ip/address.hpp>

namespace seckill::http::detail {

/// How many connections each peer holds open, to cap them
/// (ServerLimits::max_connections_per_address), counted per ClientKey (client_key.hpp): an IPv4
/// address, or an IPv6 /64 prefix.
///
/// One table for the whole server, not one per I/O thread: the kernel spreads one address's
/// connections over the threads' acceptors (SO_REUSEPORT hashes the whole 4-tuple), so a count
/// per thread could not cap the total. It is touched twice per connection (accept and close),
/// never per request, and split into shards by address so that threads rarely meet on a lock.
class AddressConnections {
 public:
  /// Counts one more connection of `address` unless it already has `cap`; false then.
  bool try_add(const boost::asio::ip::address& address, std::size_t cap);
  /// Uncounts one connection that try_add() counted.
  void remove(const boost::asio::ip::address& address);
  /// Connections counted for `address`'s key (for tests).
  std::size_t count(const boost::asio::ip::address& address);

 private:
  using Key = std::array<std::uint8_t, 16>;
  struct KeyHash {
    std::size_t operator()(const Key& key) const noexcept;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<Key, std::uint32_t, KeyHash> counts;
  };
  static constexpr std::size_t kShards = 16;

  static Key key_of(const boost::asio::ip::address& address);
  Shard& shard_of(const Key& key);

  std::array<Shard, kShards> shards_;
};

}  // namespace seckill::http::detail
