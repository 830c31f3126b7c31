#pragma once
// The one Redis failure that is a configuration mistake rather than an outage.

#include "core/infra_error.hpp"

namespace seckill::redis {

/// The server refused our credentials (AUTH answered WRONGPASS, or an error because it has no
/// password set), or it asks for credentials that the URL does not give (NOAUTH). Retrying
/// does not help until someone fixes the URL or the server: `serve` exits 2 when it sees one at
/// start. The message names the server and Redis's reason, never the password.
class AuthError : public ReplyError {
 public:
  using ReplyError::ReplyError;
};

}  // namespace seckill::redis
