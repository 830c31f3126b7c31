#pragma once
// Who is calling: the verified claims of a bearer token.

#include <cstdint>

#include "auth/role.hpp"

namespace seckill::auth {

/// The caller of a request. `user_id` is the token's `sub`, always positive; it is the only
/// source of the user of a request (never a field of the request body).
struct Principal {
  std::uint64_t user_id = 0;
  Role role = Role::user;

  friend bool operator==(const Principal&, const Principal&) = default;
};

}  // namespace seckill::auth
