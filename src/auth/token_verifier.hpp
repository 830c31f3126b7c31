#pragma once
// Checks `Authorization: Bearer <JWT>` tokens as the contract defines them (CONTRACT.md,
// "Authentication").

#include <chrono>
#include <expected>
#include <memory>
#include <string>
#include <string_view>

#include "auth/hmac_sha256.hpp"
#include "auth/principal.hpp"
#include "auth/recent_tokens.hpp"
#include "auth/revocation_list.hpp"
#include "auth/token_claims.hpp"

namespace seckill::auth {

/// Verifies compact JWS tokens signed with HS256:
/// - exactly three base64url parts (no padding); the header is a JSON object whose `alg` is
///   exactly "HS256" (`none`, HS512, RS256, ... are refused, whatever the signature);
/// - the HMAC-SHA256 signature is compared in constant time (CRYPTO_memcmp) before the payload
///   is read;
/// - the payload is a JSON object with `exp` (a number, Unix seconds; refused once now >= exp),
///   `sub` (a positive integer that fits 64 bits, given as a decimal string or a JSON integer)
///   and optionally `role` (`user`, `staff` or `admin`; absent means `user`), `nbf` and `iat`;
///   a token living longer than `rules.max_ttl` is refused (token_claims.hpp).
class TokenVerifier {
 public:
  /// Throws std::runtime_error if OpenSSL cannot provide HMAC-SHA256.
  explicit TokenVerifier(std::string_view secret, ClaimRules rules = {});
  ~TokenVerifier();
  TokenVerifier(TokenVerifier&&) noexcept;
  TokenVerifier& operator=(TokenVerifier&&) noexcept;

  /// The principal of `token`, or a short reason ("token has expired", ...) that never quotes
  /// the token. Thread-safe (const, and the HMAC context is only read).
  std::expected<Principal, std::string> verify(std::string_view token) const;

  /// Tokens in `revocations` are refused ("token revoked"), also when remembered from an earlier
  /// request. Call before the verifier is used; `revocations` must outlive it (null: none).
  void set_revocations(const RevocationList* revocations) { revocations_ = revocations; }

  /// As verify(), with the time to check `exp` against given (for tests).
  std::expected<Principal, std::string> verify(std::string_view token,
                                               std::chrono::system_clock::time_point now) const;

 private:
  bool revoked(const Claims& claims) const;

  HmacSha256 hmac_;
  ClaimRules rules_;
  const RevocationList* revocations_ = nullptr;
  /// Tokens that verified lately: the same token again costs a lookup (see recent_tokens.hpp).
  std::unique_ptr<RecentTokens> recent_;
};

}  // namespace seckill::auth
