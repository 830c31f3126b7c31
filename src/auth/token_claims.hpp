#pragma once
// The claims of an HS256 token's payload (CONTRACT.md, "Authentication"), read once its
// signature is known good.

#include <chrono>
#include <expected>
#include <string>
#include <string_view>

#include "auth/principal.hpp"

namespace seckill::auth {

/// What a payload's claims give: who, and until when (Unix seconds).
struct Claims {
  Principal principal;
  double exp_s = 0;
  friend bool operator==(const Claims&, const Claims&) = default;
};

/// The principal the claims of `payload` (the payload's JSON text) name, or why they are
/// refused: the payload must be a JSON object with `exp` (a number, Unix seconds; refused once
/// now >= exp), `sub` (a positive integer that fits 64 bits, a decimal string or a JSON
/// integer) and optionally `role` (`user`, `staff` or `admin`; absent means `user`).
///
/// A payload shaped as TokenSigner writes it (a flat object of plain ASCII strings and small
/// non-negative integers, without spaces, escapes or repeated claims) is read by a small scanner,
/// with no allocation: every authenticated request reads one. Anything else goes to Boost.JSON.
/// Both give the same answer for every input (tests and the token fuzz target check).
std::expected<Claims, std::string> read_claims(std::string_view payload,
                                               std::chrono::system_clock::time_point now);

/// The same through Boost.JSON alone: the reference read_claims must agree with.
std::expected<Claims, std::string> read_claims_generic(std::string_view payload,
                                                       std::chrono::system_clock::time_point now);

}  // namespace seckill::auth
