#include "auth/hmac_sha256.hpp"

#include <cstring>

// The one-shot SHA256_* calls are deprecated in OpenSSL 3 in favour of EVP, but EVP offers no
// way to copy a keyed HMAC without a heap allocation per copy (EVP_MAC_CTX_dup), which was a
// measurable share of each request. These calls are stable and still shipped.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace seckill::auth {

struct HmacSha256::Keyed {
  SHA256_CTX inner;  ///< after hashing key ^ ipad
  SHA256_CTX outer;  ///< after hashing key ^ opad
};

HmacSha256::HmacSha256(std::string_view key) : keyed_(std::make_unique<Keyed>()) {
  unsigned char block[SHA256_CBLOCK] = {};
  if (key.size() > sizeof block) {
    SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), block);
  } else if (!key.empty()) {
    std::memcpy(block, key.data(), key.size());
  }
  unsigned char pad[SHA256_CBLOCK];
  for (std::size_t i = 0; i < sizeof pad; ++i)
    pad[i] = static_cast<unsigned char>(block[i] ^ 0x36);
  SHA256_Init(&keyed_->inner);
  SHA256_Update(&keyed_->inner, pad, sizeof pad);
  for (std::size_t i = 0; i < sizeof pad; ++i)
    pad[i] = static_cast<unsigned char>(block[i] ^ 0x5c);
  SHA256_Init(&keyed_->outer);
  SHA256_Update(&keyed_->outer, pad, sizeof pad);
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
}

HmacSha256::~HmacSha256() {
  if (keyed_) OPENSSL_cleanse(keyed_.get(), sizeof(Keyed));
}
HmacSha256::HmacSha256(HmacSha256&&) noexcept = default;
HmacSha256& HmacSha256::operator=(HmacSha256&&) noexcept = default;

HmacSha256::Digest HmacSha256::mac(std::string_view data) const {
  Digest inner_digest{};
  SHA256_CTX ctx = keyed_->inner;
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(inner_digest.data(), &ctx);
  ctx = keyed_->outer;
  SHA256_Update(&ctx, inner_digest.data(), inner_digest.size());
  Digest out{};
  SHA256_Final(out.data(), &ctx);
  OPENSSL_cleanse(&ctx, sizeof ctx);
  return out;
}

}  // namespace seckill::auth
