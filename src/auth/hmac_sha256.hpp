#pragma once
// HMAC-SHA256 with a key set once, for signing and verifying HS256 tokens.

#include <array>
#include <memory>
#include <string_view>

struct evp_mac_ctx_st;

namespace seckill::auth {

class HmacSha256 {
 public:
  using Digest = std::array<unsigned char, 32>;

  /// Keys an OpenSSL HMAC context once; each mac() copies it, which skips re-hashing the key and
  /// re-fetching the algorithm. Throws std::runtime_error if OpenSSL cannot provide HMAC-SHA256.
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(HmacSha256&&) noexcept;
  HmacSha256& operator=(HmacSha256&&) noexcept;
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  /// HMAC of `data`. Thread-safe: the keyed context is only read (duplicated), never changed.
  /// Throws std::runtime_error if OpenSSL fails (out of memory).
  Digest mac(std::string_view data) const;

 private:
  struct Free {
    void operator()(evp_mac_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_mac_ctx_st, Free> keyed_;
};

}  // namespace seckill::auth
