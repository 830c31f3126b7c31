#pragma once
// A first, blocking look at a Redis server, for the start of a program: are the URL's
// credentials right?

#include "redis/connection_options.hpp"

namespace seckill::redis {

/// Connects once to `options.endpoint` on a private io_context (blocking: call it before the
/// program's I/O threads run, never on one), authenticates and selects as every connection does,
/// then sends PING. Returns when the server answers PONG. Throws AuthError when the credentials
/// are refused, or missing while the server asks for some (NOAUTH); IoError or TimeoutError when
/// the server cannot be reached within `connect_timeout` and `request_timeout`; ReplyError for
/// any other refusal.
void probe(const ConnectionOptions& options);

}  // namespace seckill::redis
