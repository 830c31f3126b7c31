#pragma once
// Rules of RFC 9112 that a request head must pass before its body is read or it is routed.

#include <optional>

#include "core/error_code.hpp"
#include "http/request_context.hpp"

namespace seckill::http {

/// Checks the head of `request` (its fields and version; the body is not looked at) against
/// the framing rules we rely on, and returns the 400 `bad_request` Failure owed when it breaks
/// one. The server answers it and closes the connection, since the message's end is unknown.
///
/// Transfer-Encoding (RFC 9112 6.1, 6.3): the only coding we accept is `chunked` alone, in one
/// field line, on HTTP/1.1, without Content-Length. Everything else is refused with 400:
///   - chunked not last (`chunked, gzip`): 6.3 says the length cannot be determined, 400 MUST;
///   - another coding (`gzip`, `identity`, `gzip, chunked`): 6.1 says 501 SHOULD; we answer 400
///     instead because the contract's status table has no 501, the client can do nothing
///     different with either, and one rule (and one error code) is easier to test and proxy;
///   - Transfer-Encoding with Content-Length: 6.1 lets a server reject it, and it is the
///     request-smuggling shape, so we do;
///   - Transfer-Encoding on HTTP/1.0: 6.1 says to treat the framing as faulty.
///
/// Host (RFC 9112 3.2): an HTTP/1.1 request without one, or any request with more than one,
/// is a 400 MUST.
std::optional<Failure> check_request_head(const Request& request);

}  // namespace seckill::http
