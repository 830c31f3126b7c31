#include "http/request_id.hpp"

#include <cstdint>
#include <random>

namespace seckill::http {
namespace {

/// A counter per thread, starting at a random point: ids need no lock and differ between
/// threads and processes (a 64-bit random start makes overlaps practically impossible).
std::uint64_t next_id_number() {
  thread_local std::uint64_t next = [] {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
  }();
  return next++;
}

}  // namespace

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string ensure_request_id(Request& request) {
  auto it = request.find(kRequestIdHeader);
  if (it != request.end() && valid_request_id(it->value())) return std::string(it->value());
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t n = next_id_number();
  // 15 hex digits (60 bits): short enough to stay in std::string's own buffer (no allocation).
  std::string id(15, '0');
  for (int i = 14; i >= 0; --i, n >>= 4)
    id[static_cast<std::size_t>(i)] = kHex[n & 0xf];
  request.set(kRequestIdHeader, id);
  return id;
}

}  // namespace seckill::http
