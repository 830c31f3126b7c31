#include "http/trusted_proxies.hpp"

#include <charconv>
#include <optional>

#include <boost/beast/core/string.hpp>
#include <fmt/format.h>

namespace seckill::http {
namespace {

namespace ip = boost::asio::ip;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::array<std::uint8_t, 16> bytes_of(const ip::address& address) {
  if (address.is_v4()) return ip::make_address_v6(ip::v4_mapped, address.to_v4()).to_bytes();
  return address.to_v6().to_bytes();
}

std::optional<ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  auto address = ip::make_address(text, ec);
  if (ec) return std::nullopt;
  return TrustedProxies::normalized(address);
}

/// One X-Forwarded-For entry: an address, maybe in brackets, maybe with a port.
std::optional<ip::address> parse_entry(std::string_view entry) {
  entry = trim(entry);
  if (entry.empty()) return std::nullopt;
  if (entry.front() == '[') {
    auto close = entry.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    auto rest = entry.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    auto address = parse_address(entry.substr(1, close - 1));
    if (!address || !address->is_v6()) return std::nullopt;
    return address;
  }
  auto colon = entry.find(':');
  if (colon != std::string_view::npos && entry.find(':', colon + 1) == std::string_view::npos) {
    entry = entry.substr(0, colon);  // IPv4 with a port
  }
  return parse_address(entry);
}

bool in_range(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& range,
              unsigned prefix) {
  for (unsigned i = 0; i < 16 && prefix > 0; ++i) {
    const unsigned bits = prefix >= 8 ? 8 : prefix;
    const auto mask = static_cast<std::uint8_t>(0xFF << (8 - bits));
    if ((a[i] & mask) != (range[i] & mask)) return false;
    prefix -= bits;
  }
  return true;
}

}  // namespace

ip::address TrustedProxies::normalized(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::expected<TrustedProxies, std::string> TrustedProxies::parse(std::string_view text) {
  TrustedProxies out;
  if (trim(text).empty()) return out;
  for (;;) {
    auto comma = text.find(',');
    const std::string_view entry = trim(text.substr(0, comma));
    auto bad = [&](std::string_view why) {
      // fmt rather than operator+: GCC 12 warns falsely (-Wrestrict) on "'" + std::string.
      return std::unexpected(
          fmt::format("'{}' is not a CIDR ({}), e.g. 10.0.0.0/8 or fd00::/8", entry, why));
    };
    if (entry.empty()) return std::unexpected(std::string("empty entry in the list"));
    auto slash = entry.find('/');
    boost::system::error_code ec;
    const auto address = ip::make_address(entry.substr(0, slash), ec);
    if (ec) return bad("not an IP address");
    const unsigned width = address.is_v4() ? 32 : 128;
    unsigned prefix = width;
    if (slash != std::string_view::npos) {
      auto digits = entry.substr(slash + 1);
      auto [end, pec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
      if (digits.empty() || pec != std::errc{} || end != digits.data() + digits.size() ||
          prefix > width) {
        return bad(width == 32 ? "prefix length must be 0..32" : "prefix length must be 0..128");
      }
    }
    out.ranges_.push_back(Range{bytes_of(address), address.is_v4() ? prefix + 96 : prefix});
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

bool TrustedProxies::contains(const ip::address& address) const {
  if (ranges_.empty() || address.is_unspecified()) return false;
  const auto bytes = bytes_of(address);
  for (const auto& range : ranges_) {
    if (in_range(bytes, range.bytes, range.prefix)) return true;
  }
  return false;
}

ip::address TrustedProxies::client_address(const ip::address& peer,
                                           std::string_view forwarded_for) const {
  ip::address current = normalized(peer);
  if (!contains(current)) return current;
  std::size_t hops = 0;
  while (!forwarded_for.empty()) {
    auto comma = forwarded_for.rfind(',');
    const std::string_view entry =
        comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
    forwarded_for =
        comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    if (trim(entry).empty() && comma != std::string_view::npos) continue;  // "a, , b"
    if (++hops > kMaxHops) return current;
    auto address = parse_entry(entry);
    if (!address) return current;
    current = *address;
    if (!contains(current)) return current;
  }
  return current;
}

ip::address TrustedProxies::client_address(const ip::address& peer, const Request& request) const {
  if (!contains(normalized(peer))) return normalized(peer);
  // Several field lines are one comma-separated list, in order (RFC 9110 5.3).
  std::string joined;
  std::size_t lines = 0;
  std::string_view single;
  for (const auto& field : request) {
    if (!boost::beast::iequals(field.name_string(), "X-Forwarded-For")) continue;
    std::string_view value(field.value().data(), field.value().size());
    if (lines++ == 0) {
      single = value;
      continue;
    }
    if (lines == 2) joined.assign(single);
    joined.append(",");
    joined.append(value);
  }
  return client_address(peer, lines > 1 ? std::string_view(joined) : single);
}

}  // namespace seckill::http
