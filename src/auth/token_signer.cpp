#include "auth/token_signer.hpp"

#include <array>
#include <charconv>
#include <stdexcept>

#include <openssl/rand.h>

#include "auth/base64url.hpp"

namespace seckill::auth {
namespace {

// base64url({"alg":"HS256","typ":"JWT"}): the same for every token, so computed once by hand.
constexpr std::string_view kHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

void append_int(std::string& out, auto value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

}  // namespace

std::string new_token_id() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed: no token id");
  }
  return base64url_encode(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

TokenSigner::TokenSigner(std::string_view secret) : hmac_(secret) {}

std::string TokenSigner::sign(std::uint64_t user_id, Role role, std::chrono::seconds ttl) const {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return sign_until(user_id, role, static_cast<std::int64_t>((now + ttl).count()),
                    static_cast<std::int64_t>(now.count()));
}

std::string TokenSigner::sign_until(std::uint64_t user_id, Role role, std::int64_t exp_unix_s,
                                    std::optional<std::int64_t> iat_unix_s) const {
  std::string payload;
  payload.reserve(128);
  payload.append(R"({"sub":")");
  append_int(payload, user_id);
  payload.append(R"(","role":")");
  payload.append(to_string(role));
  payload.push_back('"');
  if (iat_unix_s) {
    payload.append(R"(,"iat":)");
    append_int(payload, *iat_unix_s);
  }
  payload.append(R"(,"exp":)");
  append_int(payload, exp_unix_s);
  payload.append(R"(,"jti":")");
  payload.append(new_token_id());
  payload.append(R"("})");
  return sign_payload(payload);
}

std::string TokenSigner::sign_payload(std::string_view payload_json) const {
  std::string token;
  token.reserve(kHeader.size() + payload_json.size() * 4 / 3 + 50);
  token.append(kHeader);
  token.push_back('.');
  base64url_encode_append(payload_json, token);
  auto mac = hmac_.mac(token);
  token.push_back('.');
  base64url_encode_append(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()),
                          token);
  return token;
}

}  // namespace seckill::auth
