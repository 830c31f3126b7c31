#include "auth/role.hpp"

namespace seckill::auth {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::user:
      return "user";
    case Role::staff:
      return "staff";
    case Role::admin:
      return "admin";
  }
  return "user";
}

std::optional<Role> parse_role(std::string_view name) {
  if (name == "user") return Role::user;
  if (name == "staff") return Role::staff;
  if (name == "admin") return Role::admin;
  return std::nullopt;
}

}  // namespace seckill::auth
