// Fuzz target: bearer tokens. The first byte picks what the rest is:
//   even: a whole token, verified as it came (forgery must fail: nothing unsigned is accepted);
//   odd:  a JWT payload, signed with the right secret and then verified, so the claim parsing
//         (sub, role, exp, nbf, iat of every type and size) is reached behind a valid signature.
// Oracle: no crash; an accepted token has a positive user id and a known role; a raw token is
// never accepted unless it is one the signer could have made (the seeds hold such tokens); for
// a payload, the claims scanner answers exactly as the general JSON parser does, under the
// default rules and under tight ones (1 h at most, no iat leeway), and claims accepted are valid
// at that time (nbf <= now < exp, exp - iat or exp - now within the bound, whatever the size).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "auth/token_claims.hpp"
#include "auth/token_signer.hpp"
#include "auth/token_verifier.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // No bound on a token's life here, so that payloads with far `exp` reach the sub and role
  // checks behind a valid signature; the bound is checked on the claims above.
  static const seckill::auth::TokenVerifier verifier(
      "fuzz secret",
      seckill::auth::ClaimRules{std::chrono::hours(24 * 365 * 200), std::chrono::seconds(60)});
  static const seckill::auth::TokenSigner signer("fuzz secret");
  if (size == 0) return 0;
  const bool sign_first = (data[0] & 1) != 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (sign_first) {
    const auto now = std::chrono::system_clock::from_time_t(2'000'000'000);
    const double now_s = 2'000'000'000.0;
    for (const auto& rules :
         {seckill::auth::ClaimRules{},
          seckill::auth::ClaimRules{std::chrono::hours(1), std::chrono::seconds(0)}}) {
      auto fast = seckill::auth::read_claims(rest, now, rules);
      auto reference = seckill::auth::read_claims_generic(rest, now, rules);
      if (fast.has_value() != reference.has_value()) std::abort();
      if (fast ? *fast != *reference : fast.error() != reference.error()) std::abort();
      if (fast) {
        const auto max_ttl = static_cast<double>(rules.max_ttl.count());
        if (!(fast->nbf_s <= now_s && now_s < fast->exp_s)) std::abort();
        if (fast->exp_s - fast->iat_s.value_or(now_s) > max_ttl) std::abort();
      }
    }
  }
  auto result = sign_first ? verifier.verify(signer.sign_payload(rest)) : verifier.verify(rest);
  if (!result) {
    if (result.error().empty()) std::abort();  // a refusal always says why
    return 0;
  }
  if (result->user_id == 0) std::abort();
  using seckill::auth::Role;
  if (result->role != Role::user && result->role != Role::staff && result->role != Role::admin) {
    std::abort();
  }
  return 0;
}
