#pragma once
// Which clients count as one for the per-address limits: the rate limit (`--rate-limit-ip`), the
// connection cap (`--max-connections-per-address`) and the cap on event streams. One rule,
// used by all three.

#include <array>
#include <cstdint>
#include <string>

#include <boost/asio/ip/address.hpp>

namespace seckill::http {

/// What an address counts under:
///   - an IPv4 address, or an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a dual-stack
///     listener sees), is its IPv4 address;
///   - any other IPv6 address is its /64 prefix. One host (one subscriber, one VM) is routinely
///     given a whole /64 and may pick a fresh address in it for every connection (privacy
///     extensions, or on purpose), so a limit per full IPv6 address would not limit it at all.
///     The cost: clients that really share a /64 (one LAN behind a router without NAT) share the
///     limits, as the clients behind one IPv4 NAT do.
/// The unspecified address (no client known) is its own key; callers skip it.
class ClientKey {
 public:
  static ClientKey of(const boost::asio::ip::address& address);

  /// 16 bytes: the IPv4 address in v4-mapped IPv6 form, or the /64 prefix followed by zeros.
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  bool is_v4() const { return v4_; }
  /// `192.0.2.1`, or `2001:db8:1:2::/64`: for bucket names and messages.
  std::string to_string() const;

  friend bool operator==(const ClientKey&, const ClientKey&) = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
  bool v4_ = false;
};

}  // namespace seckill::http
