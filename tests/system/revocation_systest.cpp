// Token revocation end to end (issue #17): staff revoke a token id or a user on one instance;
// every instance refuses those tokens within about a second; only admins list revocations. In
// the embedded mode they outlive a restart.
#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "auth/token_signer.hpp"
#include "system/seckill_cluster.hpp"

using namespace seckill::testing;
using namespace std::chrono_literals;

namespace {

std::string jti_of(const std::string& token) {
  const auto dot1 = token.find('.');
  const auto dot2 = token.find('.', dot1 + 1);
  std::string payload;
  // base64url without padding: decoded by hand here to stay independent of src/auth.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned bits = 0, value = 0;
  for (char c : token.substr(dot1 + 1, dot2 - dot1 - 1)) {
    value = (value << 6) | static_cast<unsigned>(alphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      payload.push_back(static_cast<char>((value >> bits) & 0xFF));
    }
  }
  const auto at = payload.find(R"("jti":")");
  if (at == std::string::npos) return {};
  const auto end = payload.find('"', at + 7);
  return payload.substr(at + 7, end - at - 7);
}

/// Asks `client` until the token is refused (or 10 s pass); the last status.
int status_once_refused(HttpClient& client, const std::string& token) {
  int status = 0;
  for (int i = 0; i < 100; ++i) {
    status = client.request("GET", "/api/v1/vouchers/1", token).status;
    if (status == 401) break;
    std::this_thread::sleep_for(100ms);
  }
  return status;
}

}  // namespace

TEST(Revocation, ARevokedTokenOrUserIsRefusedOnEveryInstance) {
  SeckillCluster cluster(2);
  auto a = cluster.client(0);
  auto b = cluster.client(1);
  seckill::auth::TokenSigner signer(kTestJwtSecret);
  const auto victim = signer.sign(9001, seckill::auth::Role::user, 1h);
  const auto bystander = signer.sign(9002, seckill::auth::Role::user, 1h);
  const auto staff = token_for(2, "staff");
  const auto admin = token_for(1, "admin");
  // Accepted at first (404: no such voucher, behind a valid token), and remembered.
  ASSERT_EQ(b.request("GET", "/api/v1/vouchers/1", victim).status, 404);

  // Users may not revoke; staff may; bad bodies are 400.
  const std::string body = R"({"jti":")" + jti_of(victim) + R"("})";
  EXPECT_EQ(a.request("POST", "/api/v1/revocations", bystander, body).status, 403);
  EXPECT_EQ(a.request("POST", "/api/v1/revocations", staff, R"({"jti":5})").status, 400);
  EXPECT_EQ(a.request("POST", "/api/v1/revocations", staff, R"({"jti":"x","user_id":"1"})").status,
            400);
  auto created = a.request("POST", "/api/v1/revocations", staff, body);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json().at("jti").as_string(), jti_of(victim));

  auto on_a = a.request("GET", "/api/v1/vouchers/1", victim);
  EXPECT_EQ(on_a.status, 401) << "the instance that took it, at once";
  EXPECT_NE(on_a.body.find("token revoked"), std::string::npos) << on_a.body;
  EXPECT_EQ(status_once_refused(b, victim), 401) << "the other instance, within its poll";
  EXPECT_EQ(b.request("GET", "/api/v1/vouchers/1", bystander).status, 404);

  // A user: every token of theirs issued before now.
  std::this_thread::sleep_for(1100ms);  // iat has whole seconds: before, not the same second
  auto user = a.request("POST", "/api/v1/revocations", staff, R"({"user_id":"9002"})");
  ASSERT_EQ(user.status, 201) << user.body;
  EXPECT_EQ(status_once_refused(b, bystander), 401);

  // Listing: admins only.
  EXPECT_EQ(b.request("GET", "/api/v1/revocations", staff).status, 403);
  auto listed = b.request("GET", "/api/v1/revocations", admin);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_NE(listed.body.find(jti_of(victim)), std::string::npos) << listed.body;
  EXPECT_NE(listed.body.find(R"("user_id":"9002")"), std::string::npos) << listed.body;
}

TEST(Revocation, EmbeddedRevocationsSurviveARestart) {
  SeckillCluster cluster(1, {}, Mode::embedded);
  auto client = cluster.client(0);
  seckill::auth::TokenSigner signer(kTestJwtSecret);
  const auto victim = signer.sign(9101, seckill::auth::Role::user, 1h);
  const auto user_token = signer.sign(9102, seckill::auth::Role::user, 1h);
  const auto staff = token_for(2, "staff");
  ASSERT_EQ(client.request("GET", "/api/v1/vouchers/1", victim).status, 404);
  ASSERT_EQ(client.request("GET", "/api/v1/vouchers/1", user_token).status, 404);
  const std::string body = R"({"jti":")" + jti_of(victim) + R"("})";
  ASSERT_EQ(client.request("POST", "/api/v1/revocations", staff, body).status, 201);
  std::this_thread::sleep_for(1100ms);  // iat has whole seconds: before, not the same second
  ASSERT_EQ(client.request("POST", "/api/v1/revocations", staff, R"({"user_id":"9102"})").status,
            201);
  ASSERT_EQ(client.request("GET", "/api/v1/vouchers/1", victim).status, 401);

  cluster.restart_hard(0);  // SIGKILL: only what the store kept counts
  auto after = cluster.client(0);
  auto refused = after.request("GET", "/api/v1/vouchers/1", victim);
  EXPECT_EQ(refused.status, 401) << refused.body;
  EXPECT_NE(refused.body.find("token revoked"), std::string::npos) << refused.body;
  EXPECT_EQ(after.request("GET", "/api/v1/vouchers/1", user_token).status, 401);
  std::this_thread::sleep_for(1100ms);  // a whole second after the revocation
  const auto fresh = signer.sign(9102, seckill::auth::Role::user, 1h);
  EXPECT_EQ(after.request("GET", "/api/v1/vouchers/1", fresh).status, 404)
      << "a token of the user issued after the revocation is accepted";
  auto listed = after.request("GET", "/api/v1/revocations", token_for(1, "admin"));
  EXPECT_NE(listed.body.find(jti_of(victim)), std::string::npos) << listed.body;
  EXPECT_NE(listed.body.find(R"("user_id":"9102")"), std::string::npos) << listed.body;
}
