#include "http/access.hpp"

namespace seckill::http {

bool allows(Access access, auth::Role role) {
  switch (access) {
    case Access::anyone:
    case Access::authenticated:
      return true;
    case Access::staff:
      return role == auth::Role::staff || role == auth::Role::admin;
    case Access::admin:
      return role == auth::Role::admin;
  }
  return false;
}

}  // namespace seckill::http
