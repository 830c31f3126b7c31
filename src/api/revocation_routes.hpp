#pragma once
// Token revocation (issue #17):
//
//   POST /api/v1/revocations  staff, admin  {"jti": "..."} or {"user_id": "42"}
//        201 {"jti"|"user_id", "revoked_at", "expires_at"}: the token with that id, or every
//        token of that user issued before now (its iat), is refused (401 unauthorized, "token
//        revoked") on every instance within about a second, until it could not be valid anyway
//        (now + --token-max-ttl).
//   GET  /api/v1/revocations  admin         200 {"revocations": [...]} (those still in force)

#include <chrono>
#include <functional>

#include "auth/revocation_store.hpp"
#include "http/router.hpp"

namespace seckill::api {

/// `store` must outlive the router. `max_ttl` is --token-max-ttl.
void add_revocation_routes(http::Router& router, auth::RevocationStore& store,
                           std::chrono::seconds max_ttl);

}  // namespace seckill::api
