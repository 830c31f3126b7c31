#include <chrono>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "auth/base64url.hpp"
#include "auth/hmac_sha256.hpp"
#include "auth/revocation_list.hpp"
#include "auth/token_claims.hpp"
#include "auth/token_signer.hpp"
#include "auth/token_verifier.hpp"

namespace seckill::auth {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kSecret = "a test secret";

/// A token with any header and payload, HMAC-SHA256 signed with `secret`.
std::string make_token(std::string_view header, std::string_view payload,
                       std::string_view secret = kSecret) {
  std::string signing_input = base64url_encode(header) + "." + base64url_encode(payload);
  auto mac = HmacSha256(secret).mac(signing_input);
  return signing_input + "." +
         base64url_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

std::string hs256(std::string_view payload) {
  return make_token(R"({"alg":"HS256","typ":"JWT"})", payload);
}

// Most cases here are about the claims' shapes, with tokens that expire in 2100: without a bound
// on their life. The bound has its own tests (TokenTimes).
constexpr ClaimRules kNoLifetimeBound{std::chrono::hours(24 * 365 * 200), std::chrono::seconds(60)};

class TokenTest : public ::testing::Test {
 protected:
  TokenVerifier verifier_{kSecret, kNoLifetimeBound};
  TokenSigner signer_{kSecret};

  std::string reason(const std::string& token) {
    auto r = verifier_.verify(token);
    EXPECT_FALSE(r.has_value()) << token;
    return r ? std::string() : r.error();
  }
};

TEST_F(TokenTest, SignedTokenVerifies) {
  auto token = signer_.sign(42, Role::staff, 1h);
  auto p = verifier_.verify(token);
  ASSERT_TRUE(p.has_value()) << p.error();
  EXPECT_EQ(*p, (Principal{42, Role::staff}));
  EXPECT_EQ(verifier_.verify(signer_.sign(UINT64_MAX, Role::admin, 1h)).value(),
            (Principal{UINT64_MAX, Role::admin}));
}

TEST_F(TokenTest, KnownVectorFromAnotherImplementation) {
  // HS256 over {"sub":"1234567890","role":"admin","exp":4102444800} with secret "a test secret",
  // computed independently (python: hmac + base64.urlsafe_b64encode).
  std::string token =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJzdWIiOiIxMjM0NTY3ODkwIiwicm9sZSI6ImFkbWluIiwiZXhwIjo0MTAyNDQ0ODAwfQ."
      "tWo09mU_aamruq1ouhTeKAsEcStgnWbNkAHasEL3ggQ";
  EXPECT_EQ(token, hs256(R"({"sub":"1234567890","role":"admin","exp":4102444800})"));
  EXPECT_EQ(verifier_.verify(token).value(), (Principal{1234567890, Role::admin}));
}

TEST_F(TokenTest, ExpiredTokenIsRefused) {
  EXPECT_EQ(reason(signer_.sign(1, Role::user, -1s)), "token has expired");
  auto now = std::chrono::system_clock::from_time_t(1'000'000);
  auto token = signer_.sign_until(1, Role::user, 1'000'000);
  EXPECT_FALSE(verifier_.verify(token, now).has_value());  // exp == now: expired
  EXPECT_TRUE(verifier_.verify(token, now - 1s).has_value());
  EXPECT_TRUE(verifier_.verify(hs256(R"({"sub":"1","exp":4102444800.5})")).has_value());
}

TEST_F(TokenTest, WrongSignatureIsRefused) {
  auto other = TokenSigner("another secret").sign(1, Role::user, 1h);
  EXPECT_EQ(reason(other), "token signature is invalid");
  auto token = signer_.sign(1, Role::user, 1h);
  token.back() = token.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verifier_.verify(token).has_value());
  auto cut = signer_.sign(1, Role::user, 1h);
  cut.resize(cut.rfind('.') + 1);
  EXPECT_EQ(reason(cut), "token signature is invalid");
}

TEST_F(TokenTest, PayloadCannotBeChangedUnderAValidSignature) {
  auto token = signer_.sign(1, Role::user, 1h);
  auto dot1 = token.find('.');
  auto dot2 = token.find('.', dot1 + 1);
  std::string forged = token.substr(0, dot1 + 1) +
                       base64url_encode(R"({"sub":"1","role":"admin","exp":4102444800})") +
                       token.substr(dot2);
  EXPECT_EQ(reason(forged), "token signature is invalid");
}

TEST_F(TokenTest, AlgNoneAndOtherAlgorithmsAreRefused) {
  const std::string payload = R"({"sub":"1","exp":4102444800})";
  EXPECT_EQ(reason(base64url_encode(R"({"alg":"none"})") + "." + base64url_encode(payload) + "."),
            "token algorithm must be HS256");
  EXPECT_EQ(reason(make_token(R"({"alg":"none"})", payload)), "token algorithm must be HS256");
  EXPECT_EQ(reason(make_token(R"({"alg":"HS512","typ":"JWT"})", payload)),
            "token algorithm must be HS256");
  EXPECT_EQ(reason(make_token(R"({"alg":"RS256","typ":"JWT"})", payload)),
            "token algorithm must be HS256");
  EXPECT_EQ(reason(make_token(R"({"alg":"hs256"})", payload)), "token algorithm must be HS256");
  EXPECT_EQ(reason(make_token(R"({"typ":"JWT"})", payload)), "token algorithm must be HS256");
  EXPECT_FALSE(verifier_.verify(make_token("[1]", payload)).has_value());
}

TEST_F(TokenTest, GarbageIsRefused) {
  for (const std::string& garbage :
       std::vector<std::string>{"", "abc", "a.b", "a.b.c", "a.b.c.d", "....", "Bearer x.y.z",
                                "eyJhbGciOiJIUzI1NiJ9.%%%.abc", std::string(10000, 'a')}) {
    EXPECT_FALSE(verifier_.verify(garbage).has_value()) << garbage;
  }
  EXPECT_EQ(reason(make_token(R"({"alg":"HS256"})", "not json")),
            "token payload is not a JSON object");
  EXPECT_EQ(reason(make_token(R"({"alg":"HS256"})", "[]")), "token payload is not a JSON object");
}

TEST_F(TokenTest, SubMustBeAPositive64BitInteger) {
  const std::string bad = "token sub must be a positive 64-bit integer";
  EXPECT_EQ(reason(hs256(R"({"exp":4102444800})")), "token has no sub claim");
  for (const char* sub : {R"("0")", "0", "-1", R"("-1")", R"("+1")", R"("abc")", R"("12a")",
                          R"("")", R"("18446744073709551616")", "18446744073709551616", "1.5",
                          "1e3", "true", "null", "[1]", R"(" 1")"}) {
    EXPECT_EQ(reason(hs256(std::string(R"({"exp":4102444800,"sub":)") + sub + "}")), bad) << sub;
  }
  EXPECT_EQ(verifier_.verify(hs256(R"({"exp":4102444800,"sub":"18446744073709551615"})"))->user_id,
            UINT64_MAX);
  EXPECT_EQ(verifier_.verify(hs256(R"({"exp":4102444800,"sub":18446744073709551615})"))->user_id,
            UINT64_MAX);
  EXPECT_EQ(verifier_.verify(hs256(R"({"exp":4102444800,"sub":7})"))->user_id, 7U);
  EXPECT_EQ(verifier_.verify(hs256(R"({"exp":4102444800,"sub":"7"})"))->user_id, 7U);
}

TEST_F(TokenTest, ExpIsRequiredAndNumeric) {
  EXPECT_EQ(reason(hs256(R"({"sub":"1"})")), "token has no exp claim");
  EXPECT_EQ(reason(hs256(R"({"sub":"1","exp":"4102444800"})")), "token exp claim must be a number");
  EXPECT_EQ(reason(hs256(R"({"sub":"1","exp":null})")), "token exp claim must be a number");
}

TEST_F(TokenTest, RoleDefaultsToUserAndMustBeKnown) {
  EXPECT_EQ(verifier_.verify(hs256(R"({"sub":"5","exp":4102444800})"))->role, Role::user);
  EXPECT_EQ(verifier_.verify(hs256(R"({"sub":"5","exp":4102444800,"role":"admin"})"))->role,
            Role::admin);
  for (const char* role : {R"("root")", R"("Admin")", R"("")", "1", "null", R"(["admin"])"}) {
    EXPECT_EQ(reason(hs256(std::string(R"({"sub":"5","exp":4102444800,"role":)") + role + "}")),
              "token role must be user, staff or admin")
        << role;
  }
}

// The scanner for TokenSigner's shape and Boost.JSON answer alike, whatever the payload: those
// the scanner reads and those it hands on.
TEST(TokenClaims, ScannerAgreesWithTheGeneralParser) {
  const auto now = std::chrono::system_clock::from_time_t(2'000'000'000);
  const std::vector<std::string> payloads = {
      R"({"sub":"42","role":"staff","exp":4102444800})",
      R"({"sub":"42","role":"user","exp":1999999999})",
      R"({"sub":"42","role":"user","exp":2000000000})",
      R"({"sub":"42","exp":2000000001})",
      R"({"sub":42,"exp":4102444800})",
      R"({"sub":0,"exp":4102444800})",
      R"({"sub":"0","exp":4102444800})",
      R"({"sub":"","exp":4102444800})",
      R"({"sub":"-1","exp":4102444800})",
      R"({"sub":-1,"exp":4102444800})",
      R"({"sub":"18446744073709551615","exp":4102444800})",
      R"({"sub":"18446744073709551616","exp":4102444800})",
      R"({"sub":18446744073709551615,"exp":4102444800})",
      R"({"sub":999999999999999999,"exp":4102444800})",
      R"({"sub":1000000000000000000,"exp":4102444800})",
      R"({"sub":"01","exp":4102444800})",
      R"({"sub":01,"exp":4102444800})",
      R"({"sub":"7","exp":04102444800})",
      R"({"sub":"7","exp":4102444800.5})",
      R"({"sub":"7","exp":-5})",
      R"({"sub":"7","exp":"4102444800"})",
      R"({"sub":"7","exp":null})",
      R"({"sub":"7","exp":4102444800,"role":"root"})",
      R"({"sub":"7","exp":4102444800,"role":7})",
      R"({"sub":"7","exp":4102444800,"role":"Admin"})",
      R"({"sub":"7","exp":4102444800,"role":"admin","x":"y","n":1})",
      R"({"sub":"7","exp":4102444800,"nested":{"a":1}})",
      R"({"sub":"7","sub":"8","exp":4102444800})",
      R"({"exp":4102444800})",
      R"({"sub":"7"})",
      R"({})",
      R"({"sub":"7","exp":4102444800,})",
      R"({"sub":"7","exp":4102444800}x)",
      R"({"sub":"7","exp":4102444800)",
      R"({"sub":"7" ,"exp":4102444800})",
      R"( {"sub":"7","exp":4102444800})",
      R"({"sub":"7","exp":4102444800})",
      R"({"sub":"7","exp":4102444800})",
      "{\"sub\":\"7\",\"exp\":4102444800,\"r\":\"\xc3\xa9\"}",
      "{\"sub\":\"7\",\"exp\":4102444800,\"r\":\"\xff\"}",
      "{\"sub\":\"7\",\"exp\":4102444800,\"r\":\"a\tb\"}",
      R"({"sub":"7","exp":4102444800,"role":"user"})",
      R"({"sub":"7","exp":4102444800:)",
      R"({"sub":)",
      R"({"sub")",
      R"({")",
      "{",
      "",
      "[]",
      "null",
      R"("sub")",
      R"({"sub":"7","exp":2000000100,"nbf":2000000001})",
      R"({"sub":"7","exp":2000000100,"nbf":2000000000})",
      R"({"sub":"7","exp":2000000100,"nbf":"1"})",
      R"({"sub":"7","exp":2000000100,"nbf":1.5})",
      R"({"sub":"7","exp":2000000100,"nbf":-1})",
      R"({"sub":"7","exp":2000000100,"iat":2000000060})",
      R"({"sub":"7","exp":2000000100,"iat":2000000061})",
      R"({"sub":"7","exp":2000000100,"iat":null})",
      R"({"sub":"7","exp":2000000100,"iat":1999999999,"iat":1})",
      R"({"sub":"7","exp":1e300})",
      R"({"sub":"7","exp":1e19})",
      R"({"sub":"7","exp":10000000000000000000})",
      R"({"sub":"7","exp":1e400})",
      R"({"sub":"7","exp":1e300,"iat":1e300})",
      R"({"sub":"7","exp":1e300,"iat":1999999999})",
      R"({"sub":"7","exp":2000086400,"iat":2000000000,"jti":"abc"})",
      R"({"sub":"7","exp":2000086401,"iat":2000000000})",
      R"({"sub":"7","exp":2000086401})",
      R"({"sub":"7","exp":2000086400})",
      R"({"sub":"7","exp":2000000100,"jti":"abc"})",
      R"({"sub":"7","exp":2000000100,"jti":7})",
      R"({"sub":"7","exp":2000000100,"jti":""})",
      R"({"sub":"7","exp":2000000100,"jti":"a\u0062"})",
  };
  for (const auto& rules : {kNoLifetimeBound, ClaimRules{}}) {
    for (const auto& payload : payloads) {
      auto fast = read_claims(payload, now, rules);
      auto reference = read_claims_generic(payload, now, rules);
      EXPECT_EQ(fast.has_value(), reference.has_value()) << payload;
      if (fast && reference) {
        EXPECT_EQ(*fast, *reference) << payload;
      } else if (!fast && !reference) {
        EXPECT_EQ(fast.error(), reference.error()) << payload;
      }
    }
  }
}

// A token seen again is answered from RecentTokens: the same answer, its expiry still checked,
// and a token that differs in any byte (here: another payload under the same signature, so the
// same slot) is verified in full.
TEST_F(TokenTest, ATokenSeenAgainGivesTheSameAnswer) {
  const auto now = std::chrono::system_clock::from_time_t(1'000'000);
  auto token = signer_.sign_until(77, Role::staff, 1'000'100);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(verifier_.verify(token, now).value(), (Principal{77, Role::staff}));
  EXPECT_EQ(verifier_.verify(token, now + 100s).error(), "token has expired");
  EXPECT_EQ(verifier_.verify(token, now + 99s).value(), (Principal{77, Role::staff}));
  auto dot1 = token.find('.');
  auto dot2 = token.find('.', dot1 + 1);
  std::string forged = token.substr(0, dot1 + 1) +
                       base64url_encode(R"({"sub":"77","role":"admin","exp":1000100})") +
                       token.substr(dot2);
  EXPECT_EQ(verifier_.verify(forged, now).error(), "token signature is invalid");
  EXPECT_EQ(verifier_.verify(token, now).value(), (Principal{77, Role::staff}));
}

TEST_F(TokenTest, ReasonsNeverQuoteTheToken) {
  auto token = hs256(R"({"sub":"secret-sub","exp":4102444800})");
  auto r = verifier_.verify(token);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().find("secret-sub"), std::string::npos);
  EXPECT_EQ(r.error().find(token), std::string::npos);
}

// nbf, iat and the server's bound on a token's life (--token-max-ttl), with the default rules:
// at most 24 h, iat at most 60 s ahead.
class TokenTimes : public ::testing::Test {
 protected:
  TokenVerifier verifier_{kSecret};
  TokenSigner signer_{kSecret};
  const std::chrono::system_clock::time_point now_ =
      std::chrono::system_clock::from_time_t(2'000'000'000);

  std::string refusal(const std::string& payload) {
    auto r = verifier_.verify(hs256(payload), now_);
    EXPECT_FALSE(r.has_value()) << payload;
    return r ? std::string() : r.error();
  }
  bool accepted(const std::string& payload) {
    auto r = verifier_.verify(hs256(payload), now_);
    return r.has_value();
  }
};

TEST_F(TokenTimes, NotBeforeInTheFutureIsRefused) {
  EXPECT_EQ(refusal(R"({"sub":"7","exp":2000000100,"nbf":2000000001})"),
            "token is not valid yet (nbf)");
  EXPECT_TRUE(accepted(R"({"sub":"7","exp":2000000100,"nbf":2000000000})"));
  EXPECT_TRUE(accepted(R"({"sub":"7","exp":2000000100,"nbf":1})"));
  EXPECT_EQ(refusal(R"({"sub":"7","exp":2000000100,"nbf":"1"})"),
            "token nbf claim must be a number");
}

TEST_F(TokenTimes, IssuedAtInTheFutureBeyondTheLeewayIsRefused) {
  EXPECT_TRUE(accepted(R"({"sub":"7","exp":2000000100,"iat":2000000060})"));
  EXPECT_EQ(refusal(R"({"sub":"7","exp":2000000100,"iat":2000000061})"),
            "token was issued in the future (iat)");
  EXPECT_EQ(refusal(R"({"sub":"7","exp":2000000100,"iat":true})"),
            "token iat claim must be a number");
}

TEST_F(TokenTimes, ATokenLivingLongerThanTheServerAllowsIsRefused) {
  constexpr std::string_view kTooLong = "token lives longer than the server allows";
  // exp - iat
  EXPECT_TRUE(accepted(R"({"sub":"7","iat":1999999000,"exp":2000085400})"));  // 24 h
  EXPECT_EQ(refusal(R"({"sub":"7","iat":1999999000,"exp":2000085401})"), kTooLong);
  // without iat: exp - now
  EXPECT_TRUE(accepted(R"({"sub":"7","exp":2000086400})"));
  EXPECT_EQ(refusal(R"({"sub":"7","exp":2000086401})"), kTooLong);
  // what `seckill token --ttl 25h` makes, against today's clock
  EXPECT_EQ(verifier_.verify(signer_.sign(7, Role::user, 25h)).error(), kTooLong);
  EXPECT_TRUE(verifier_.verify(signer_.sign(7, Role::user, 23h)).has_value());
  // another bound
  TokenVerifier strict(kSecret, ClaimRules{std::chrono::seconds(3600), std::chrono::seconds(60)});
  EXPECT_FALSE(strict.verify(signer_.sign(7, Role::user, 2h)).has_value());
  EXPECT_TRUE(strict.verify(signer_.sign(7, Role::user, 1h)).has_value());
}

TEST_F(TokenTimes, AHugeExpIsRefusedNeverOverflowed) {
  constexpr std::string_view kTooLong = "token lives longer than the server allows";
  for (const char* exp : {"1e300", "1e19", "10000000000000000000", "18446744073709551615",
                          "9223372036854775807", "1.7976931348623157e308", "4102444800"}) {
    EXPECT_EQ(refusal(std::string(R"({"sub":"7","exp":)") + exp + "}"), kTooLong) << exp;
    EXPECT_EQ(refusal(std::string(R"({"sub":"7","iat":2000000000,"exp":)") + exp + "}"), kTooLong)
        << exp;
  }
  EXPECT_EQ(refusal(R"({"sub":"7","iat":1e300,"exp":1e300})"),
            "token was issued in the future (iat)");
  EXPECT_FALSE(accepted(R"({"sub":"7","exp":1e400})"));
  EXPECT_EQ(refusal(R"({"sub":"7","exp":-1e300})"), "token has expired");
  EXPECT_EQ(refusal(R"({"sub":"7","exp":2000000100,"nbf":-1e300,"iat":-1e300})"), kTooLong);
}

// A token verified once is answered from RecentTokens afterwards: its nbf and exp still hold.
TEST_F(TokenTimes, ARememberedTokenIsCheckedForNbfAndExpAgain) {
  const auto token = hs256(R"({"sub":"7","exp":2000000100,"nbf":2000000000})");
  ASSERT_TRUE(verifier_.verify(token, now_).has_value());
  EXPECT_EQ(verifier_.verify(token, now_ - 1s).error(), "token is not valid yet (nbf)");
  EXPECT_TRUE(verifier_.verify(token, now_ + 99s).has_value());
  EXPECT_EQ(verifier_.verify(token, now_ + 100s).error(), "token has expired");
}

TEST_F(TokenTimes, SignedTokensCarryIatAndARandomJti) {
  const auto before = std::chrono::system_clock::now();
  const auto a = signer_.sign(7, Role::user, 1h);
  const auto b = signer_.sign(7, Role::user, 1h);
  auto payload_of = [](const std::string& token) {
    const auto dot1 = token.find('.');
    const auto dot2 = token.find('.', dot1 + 1);
    return base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1)).value();
  };
  auto claims = read_claims_generic(payload_of(a), before);
  ASSERT_TRUE(claims.has_value()) << claims.error();
  ASSERT_TRUE(claims->iat_s.has_value());
  EXPECT_NEAR(*claims->iat_s, std::chrono::duration<double>(before.time_since_epoch()).count(),
              5.0);
  EXPECT_DOUBLE_EQ(claims->exp_s - *claims->iat_s, 3600.0);
  const auto jti_of = [](const std::string& payload) {
    const auto at = payload.find(R"("jti":")");
    return at == std::string::npos ? std::string() : payload.substr(at + 7, 22);
  };
  EXPECT_EQ(jti_of(payload_of(a)).size(), 22u) << payload_of(a);
  EXPECT_NE(jti_of(payload_of(a)), jti_of(payload_of(b)));
  EXPECT_EQ(new_token_id().size(), 22u);
  EXPECT_NE(new_token_id(), new_token_id());
  EXPECT_LE(a.size(), RecentTokens::kMaxTokenBytes);
}

// Revoked tokens are refused, by jti or by user (issued before), also once remembered.
TEST_F(TokenTimes, RevokedTokensAreRefusedEvenWhenRemembered) {
  RevocationList revocations;
  verifier_.set_revocations(&revocations);
  const auto token = hs256(R"({"sub":"7","iat":1999999000,"exp":2000000100,"jti":"tok-1"})");
  const auto other = hs256(R"({"sub":"7","iat":1999999500,"exp":2000000100,"jti":"tok-2"})");
  const auto later = hs256(R"({"sub":"7","iat":1999999900,"exp":2000000100,"jti":"tok-3"})");
  const auto no_iat = hs256(R"({"sub":"8","exp":2000000100})");
  ASSERT_TRUE(verifier_.verify(token, now_).has_value());  // remembered from here on
  ASSERT_TRUE(verifier_.verify(no_iat, now_).has_value());
  revocations.add(Revocation{"tok-1", 0, 1999999800, 2000086400});
  EXPECT_EQ(verifier_.verify(token, now_).error(), "token revoked");
  EXPECT_TRUE(verifier_.verify(other, now_).has_value());
  revocations.add(Revocation{{}, 7, 1999999800, 2000086400});
  EXPECT_EQ(verifier_.verify(other, now_).error(), "token revoked");
  EXPECT_TRUE(verifier_.verify(later, now_).has_value()) << "issued after the revocation";
  revocations.add(Revocation{{}, 8, 1999999800, 2000086400});
  EXPECT_EQ(verifier_.verify(no_iat, now_).error(), "token revoked");
}

TEST_F(TokenTimes, JtiMustBeAShortString) {
  EXPECT_TRUE(accepted(R"({"sub":"7","exp":2000000100,"jti":"q0Hb3xN9s2k1LmZpR7tUvw"})"));
  EXPECT_EQ(refusal(R"({"sub":"7","exp":2000000100,"jti":7})"),
            "token jti claim must be a string of at most 64 bytes");
  EXPECT_EQ(refusal(R"({"sub":"7","exp":2000000100,"jti":")" + std::string(65, 'a') + "\"}"),
            "token jti claim must be a string of at most 64 bytes");
}

// How fast is measured by bench/auth (not asserted here); that many tokens are all distinct is.
TEST_F(TokenTest, SignerMintsManyDistinctTokens) {
  std::set<std::string> seen;
  for (std::uint64_t i = 1; i <= 20000; ++i) {
    auto t = signer_.sign(i, Role::user, 1h);
    ASSERT_FALSE(t.empty());
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 20000U);
}

}  // namespace
}  // namespace seckill::auth

// RFC 4231 test cases 2 and 6 (a short key, and a key longer than the block, hashed first).
TEST(HmacSha256, MatchesRfc4231) {
  auto hex = [](const seckill::auth::HmacSha256::Digest& d) {
    std::string out;
    for (unsigned char c : d) {
      const char* digits = "0123456789abcdef";
      out += digits[c >> 4];
      out += digits[c & 15];
    }
    return out;
  };
  EXPECT_EQ(hex(seckill::auth::HmacSha256("Jefe").mac("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex(seckill::auth::HmacSha256(std::string(131, '\xaa'))
                    .mac("Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(hex(seckill::auth::HmacSha256("").mac("")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}
