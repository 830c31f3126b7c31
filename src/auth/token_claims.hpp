#pragma once
// The claims of an HS256 token's payload (CONTRACT.md, "Authentication"), read once its
// signature is known good.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "auth/principal.hpp"

namespace seckill::auth {

/// What a payload's claims give: who, and when it is valid (Unix seconds, [nbf_s, exp_s)).
struct Claims {
  Principal principal;
  double exp_s = 0;
  /// `nbf`; without one, -infinity (valid at once).
  double nbf_s = -std::numeric_limits<double>::infinity();
  /// `iat`, when the token has one.
  std::optional<double> iat_s;
  /// `jti` (the token id revocations name), inline so reading it allocates nothing; empty
  /// without one.
  static constexpr std::size_t kMaxJtiBytes = 64;
  std::array<char, kMaxJtiBytes> jti_bytes{};
  std::uint8_t jti_size = 0;
  std::string_view jti() const { return {jti_bytes.data(), jti_size}; }
  friend bool operator==(const Claims&, const Claims&) = default;
};

/// The server's limits on a token's times.
struct ClaimRules {
  /// The longest life accepted: `exp - iat`, or without `iat`, `exp - now` (--token-max-ttl).
  std::chrono::seconds max_ttl = std::chrono::hours(24);
  /// How far in the future `iat` may be (clock skew between the minting host and this one).
  std::chrono::seconds iat_leeway = std::chrono::seconds(60);
};

/// The principal the claims of `payload` (the payload's JSON text) name, or why they are
/// refused: the payload must be a JSON object with `exp` (a number, Unix seconds; refused once
/// now >= exp), `sub` (a positive integer that fits 64 bits, a decimal string or a JSON
/// integer) and optionally `role` (`user`, `staff` or `admin`; absent means `user`), `nbf`
/// (a number; refused while now < nbf) and `iat` (a number; refused when later than now +
/// rules.iat_leeway). A token living longer than rules.max_ttl is refused ("token lives longer
/// than the server allows"), however large its `exp` (1e300 included: the times are doubles, so
/// nothing overflows). `jti`, if present, must be a string of at most 64 bytes. Other claims are
/// not read.
///
/// A payload shaped as TokenSigner writes it (a flat object of plain ASCII strings and small
/// non-negative integers, without spaces, escapes or repeated claims) is read by a small scanner,
/// with no allocation: every authenticated request reads one. Anything else goes to Boost.JSON.
/// Both give the same answer for every input (tests and the token fuzz target check).
std::expected<Claims, std::string> read_claims(std::string_view payload,
                                               std::chrono::system_clock::time_point now,
                                               const ClaimRules& rules = {});

/// The same through Boost.JSON alone: the reference read_claims must agree with.
std::expected<Claims, std::string> read_claims_generic(std::string_view payload,
                                                       std::chrono::system_clock::time_point now,
                                                       const ClaimRules& rules = {});

/// Whether claims already read are valid at `now` (Unix seconds): the expiry, `nbf` and `iat`
/// checks of read_claims, for a token verified earlier (RecentTokens). The reason if not.
std::expected<void, std::string> check_times(const Claims& claims, double now_s,
                                             const ClaimRules& rules);

}  // namespace seckill::auth
