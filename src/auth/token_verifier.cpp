#include "auth/token_verifier.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <openssl/crypto.h>

#include "auth/base64url.hpp"

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

std::expected<std::uint64_t, std::string> parse_sub(const boost::json::value& sub) {
  const std::string kBad = "token sub must be a positive 64-bit integer";
  if (sub.is_int64()) {
    if (sub.get_int64() <= 0) return std::unexpected(kBad);
    return static_cast<std::uint64_t>(sub.get_int64());
  }
  if (sub.is_uint64()) {
    if (sub.get_uint64() == 0) return std::unexpected(kBad);
    return sub.get_uint64();
  }
  if (sub.is_string()) {
    std::string_view text = sub.get_string();
    std::uint64_t value = 0;
    // from_chars takes no sign, so "-1" and "+1" are refused along with "", "1.0" and "1e3".
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value == 0) {
      return std::unexpected(kBad);
    }
    return value;
  }
  // Doubles included: above 2^64 Boost.JSON gives one, and 1.5 is no user id.
  return std::unexpected(kBad);
}

}  // namespace

TokenVerifier::TokenVerifier(std::string_view secret) : hmac_(secret) {}

std::expected<Principal, std::string> TokenVerifier::verify(std::string_view token) const {
  return verify(token, std::chrono::system_clock::now());
}

std::expected<Principal, std::string> TokenVerifier::verify(
    std::string_view token, std::chrono::system_clock::time_point now) const {
  if (token.empty()) return std::unexpected("token is empty");
  if (token.size() > kMaxTokenBytes) return std::unexpected("token is too long");
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

  auto signature = base64url_decode(signature_part);
  auto expected = hmac_.mac(token.substr(0, dot2));
  if (!signature || signature->size() != expected.size() ||
      CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    return std::unexpected("token signature is invalid");
  }

  auto payload = decode_json_object(payload_part, "payload");
  if (!payload) return std::unexpected(std::move(payload.error()));

  const auto* exp = payload->if_contains("exp");
  if (exp == nullptr) return std::unexpected("token has no exp claim");
  double exp_s = 0;
  if (exp->is_int64()) {
    exp_s = static_cast<double>(exp->get_int64());
  } else if (exp->is_uint64()) {
    exp_s = static_cast<double>(exp->get_uint64());
  } else if (exp->is_double() && std::isfinite(exp->get_double())) {
    exp_s = exp->get_double();
  } else {
    return std::unexpected("token exp claim must be a number");
  }
  double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
  if (now_s >= exp_s) return std::unexpected("token has expired");

  const auto* sub = payload->if_contains("sub");
  if (sub == nullptr) return std::unexpected("token has no sub claim");
  auto user_id = parse_sub(*sub);
  if (!user_id) return std::unexpected(std::move(user_id.error()));

  Role role = Role::user;
  if (const auto* r = payload->if_contains("role"); r != nullptr) {
    std::optional<Role> parsed;
    if (r->is_string()) parsed = parse_role(r->get_string());
    if (!parsed) return std::unexpected("token role must be user, staff or admin");
    role = *parsed;
  }
  return Principal{*user_id, role};
}

}  // namespace seckill::auth
