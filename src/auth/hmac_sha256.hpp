#pragma once
// HMAC-SHA256 with a key set once, for signing and verifying HS256 tokens.

#include <array>
#include <memory>
#include <string_view>

namespace seckill::auth {

class HmacSha256 {
 public:
  using Digest = std::array<unsigned char, 32>;

  /// Hashes the key's inner and outer pads once (RFC 2104); each mac() then starts from copies of
  /// those two SHA-256 states on the stack: no allocation and no key schedule per call, which
  /// matters because every request verifies a token.
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(HmacSha256&&) noexcept;
  HmacSha256& operator=(HmacSha256&&) noexcept;
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  /// HMAC of `data`. Thread-safe: the keyed states are only read (copied), never changed.
  Digest mac(std::string_view data) const;

 private:
  struct Keyed;
  std::unique_ptr<Keyed> keyed_;
};

}  // namespace seckill::auth
