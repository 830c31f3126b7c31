#pragma once
// Mints HS256 bearer tokens (`seckill token`, the load generator, tests).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/hmac_sha256.hpp"
#include "auth/role.hpp"

namespace seckill::auth {

/// A new random token id: 128 bits from the OpenSSL generator, base64url (22 characters).
/// Throws std::runtime_error if the generator fails.
std::string new_token_id();

class TokenSigner {
 public:
  /// `secret` is the HS256 key, the same one the TokenVerifier of the service is given.
  /// Throws std::runtime_error if OpenSSL cannot provide HMAC-SHA256.
  explicit TokenSigner(std::string_view secret);

  /// A token with claims `sub` (the decimal user id, as a string), `role`, `iat` = now,
  /// `exp` = now + `ttl` (seconds, rounded down; a negative ttl gives an expired token, for tests)
  /// and `jti`, a random token id (new_token_id()) by which it can be revoked.
  /// Thread-safe. Costs one HMAC, 16 random bytes and no JSON library: the load generator mints
  /// many. Throws std::runtime_error if the random generator fails.
  std::string sign(std::uint64_t user_id, Role role, std::chrono::seconds ttl) const;

  /// As sign(), with `exp` (and `iat`, when given; none: no `iat` claim) as Unix seconds: for
  /// tests that pin the clock.
  std::string sign_until(std::uint64_t user_id, Role role, std::int64_t exp_unix_s,
                         std::optional<std::int64_t> iat_unix_s = std::nullopt) const;

  /// Signs an arbitrary payload (any JSON text, used verbatim) under the HS256 header: for tests
  /// and tools that need tokens with unusual claims. Thread-safe.
  std::string sign_payload(std::string_view payload_json) const;

 private:
  HmacSha256 hmac_;
};

}  // namespace seckill::auth
