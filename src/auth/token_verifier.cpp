#include "auth/token_verifier.hpp"

#include <array>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <openssl/crypto.h>

#include "auth/base64url.hpp"
#include "auth/token_claims.hpp"

namespace seckill::auth {
namespace {

// Far above any token we mint (~200 bytes); bounds the work done on garbage.
constexpr std::size_t kMaxTokenBytes = 4096;
// base64url of {"alg":"HS256","typ":"JWT"}, as TokenSigner and most JWT libraries write it.
constexpr std::string_view kStandardHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

std::expected<boost::json::object, std::string> decode_json_object(std::string_view part,
                                                                   std::string_view what) {
  auto bytes = base64url_decode(part);
  if (!bytes)
    return std::unexpected(std::string("token ") + std::string(what) + " is not base64url");
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(*bytes, ec);
  if (ec || !value.is_object()) {
    return std::unexpected(std::string("token ") + std::string(what) + " is not a JSON object");
  }
  return std::move(value.as_object());
}

}  // namespace

TokenVerifier::TokenVerifier(std::string_view secret, ClaimRules rules)
    : hmac_(secret), rules_(rules), recent_(std::make_unique<RecentTokens>()) {}
TokenVerifier::~TokenVerifier() = default;
TokenVerifier::TokenVerifier(TokenVerifier&&) noexcept = default;
TokenVerifier& TokenVerifier::operator=(TokenVerifier&&) noexcept = default;

bool TokenVerifier::revoked(const Claims& claims) const {
  return revocations_ != nullptr &&
         revocations_->revoked(claims.jti(), claims.principal.user_id, claims.iat_s);
}

std::expected<Principal, std::string> TokenVerifier::verify(std::string_view token) const {
  return verify(token, std::chrono::system_clock::now());
}

std::expected<Principal, std::string> TokenVerifier::verify(
    std::string_view token, std::chrono::system_clock::time_point now) const {
  if (token.empty()) return std::unexpected("token is empty");
  if (token.size() > kMaxTokenBytes) return std::unexpected("token is too long");
  const double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
  if (auto known = recent_->find(token, now_s)) {
    if (revoked(*known)) return std::unexpected("token revoked");
    return known->principal;
  }
  auto dot1 = token.find('.');
  auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return std::unexpected("token is not three dot-separated parts");
  }
  std::string_view header_part = token.substr(0, dot1);
  std::string_view payload_part = token.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view signature_part = token.substr(dot2 + 1);

  // The header every token we mint carries ({"alg":"HS256","typ":"JWT"}): known good without
  // decoding or parsing it, which saves a JSON parse per request. Any other header is read.
  if (header_part != kStandardHeader) {
    auto header = decode_json_object(header_part, "header");
    if (!header) return std::unexpected(std::move(header.error()));
    const auto* alg = header->if_contains("alg");
    if (alg == nullptr || !alg->is_string() || alg->get_string() != "HS256") {
      return std::unexpected("token algorithm must be HS256");
    }
  }

  // Decoded on the stack: no allocation for the signature or the payload.
  std::array<char, 32> signature{};
  auto signature_size = base64url_decode_to(signature_part, signature);
  auto expected = hmac_.mac(token.substr(0, dot2));
  if (!signature_size || *signature_size != expected.size() ||
      CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
    return std::unexpected("token signature is invalid");
  }

  std::array<char, kMaxTokenBytes / 4 * 3> payload;  // NOLINT: written before it is read
  auto payload_size = base64url_decode_to(payload_part, payload);
  if (!payload_size) return std::unexpected("token payload is not base64url");
  auto claims = read_claims(std::string_view(payload.data(), *payload_size), now, rules_);
  if (!claims) return std::unexpected(std::move(claims.error()));
  recent_->remember(token, *claims);
  if (revoked(*claims)) return std::unexpected("token revoked");
  return claims->principal;
}

}  // namespace seckill::auth
