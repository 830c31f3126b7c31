#include <chrono>
#include <cstdio>
#include <string>

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
  std::string out;
  for (std::uint64_t i = 0; i < config.count; ++i) {
    out += signer.sign(config.user_id + i, *role, ttl);
    out += '\n';
    if (out.size() > (1 << 20)) {
      std::fputs(out.c_str(), stdout);
      out.clear();
    }
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace seckill::app
