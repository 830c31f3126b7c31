#include <chrono>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "auth/role.hpp"
#include "auth/token_signer.hpp"

namespace seckill::app {

int run_token(const TokenConfig& config) {
  auto role = auth::parse_role(config.role);
  if (!role) {
    fmt::print(stderr, "seckill token: --role must be user, staff or admin\n");
    return 2;
  }
  auth::TokenSigner signer(config.jwt_secret);
  auto ttl = std::chrono::duration_cast<std::chrono::seconds>(config.ttl);
  fmt::print("{}\n", signer.sign(config.user_id, *role, ttl));
  return 0;
}

}  // namespace seckill::app
