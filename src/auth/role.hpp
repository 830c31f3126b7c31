#pragma once
// What a caller may do, as carried by the `role` claim of a bearer token.

#include <optional>
#include <string_view>

namespace seckill::auth {

enum class Role { user, staff, admin };

/// "user", "staff" or "admin", as in the token claim.
std::string_view to_string(Role role);

/// The role named exactly (case-sensitive) `user`, `staff` or `admin`; nullopt for anything else.
std::optional<Role> parse_role(std::string_view name);

}  // namespace seckill::auth
