#pragma once
// Who may call a route.

#include "auth/role.hpp"

namespace seckill::http {

/// What a route demands of its caller. Anything but `anyone` needs a valid bearer token
/// (else 401 `unauthorized`); a token whose role is not enough gives 403 `forbidden`.
enum class Access {
  anyone,         ///< no token needed (health checks)
  authenticated,  ///< any valid token: user, staff or admin
  staff,          ///< staff or admin
  admin,          ///< admin only
};

/// Whether a caller with `role` may pass `access` (given a valid token).
bool allows(Access access, auth::Role role);

}  // namespace seckill::http
