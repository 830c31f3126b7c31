#pragma once
// Which peers may say who the client is (`--trusted-proxies`), and who the client then is.

#include <array>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "http/request_context.hpp"

namespace seckill::http {

/// A list of address ranges (CIDR) whose `X-Forwarded-For` is believed.
///
/// The client address of a request is found as the contract says: from a peer outside the list,
/// the peer itself (the header is ignored: a client cannot pick its own address). From a peer in
/// the list, X-Forwarded-For is read right to left (its several field lines as one list, in
/// order), each entry being the address that the hop to its right saw; the first entry that is
/// not itself in the list is the client. If every entry is trusted, the leftmost is the client.
///
/// A malformed entry (not an IP address, `unknown`, an obfuscated identifier) ends the walk: the
/// client is then the last address read successfully, i.e. the trusted hop that passed the
/// malformed entry on (the peer itself when it is the rightmost entry). That is never an address
/// the sender chose, and a proxy we trust writes well-formed entries, so only a forged or exotic
/// chain lands there. Entries may carry a port (`192.0.2.1:4711`, `[2001:db8::1]:4711`) or
/// brackets, as some balancers write them. At most kMaxHops entries are read.
///
/// IPv4 and IPv6 alike; an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a dual-stack
/// listener sees) is the IPv4 address, both for matching and as the answer.
class TrustedProxies {
 public:
  static constexpr std::size_t kMaxHops = 32;

  /// No trusted peer: client_address() is always the peer.
  TrustedProxies() = default;

  /// Parses `CIDR[,CIDR...]` (spaces around entries allowed; a bare address is a /32 or /128;
  /// bits beyond the prefix are ignored). An empty text is the empty list. The error names the
  /// bad entry.
  static std::expected<TrustedProxies, std::string> parse(std::string_view text);

  bool empty() const { return ranges_.empty(); }
  bool contains(const boost::asio::ip::address& address) const;

  /// The client of `request` received from `peer` (see the class comment).
  boost::asio::ip::address client_address(const boost::asio::ip::address& peer,
                                          const Request& request) const;
  /// The same with the X-Forwarded-For value given as one string.
  boost::asio::ip::address client_address(const boost::asio::ip::address& peer,
                                          std::string_view forwarded_for) const;

  /// `address` with an IPv4-mapped IPv6 address turned into its IPv4 address.
  static boost::asio::ip::address normalized(const boost::asio::ip::address& address);

 private:
  struct Range {
    std::array<std::uint8_t, 16> bytes;  ///< IPv4 as v4-mapped IPv6
    unsigned prefix;                     ///< of the 128 bits
  };
  std::vector<Range> ranges_;
};

}  // namespace seckill::http
