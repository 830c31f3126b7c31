#pragma once
// The one place where a contract error becomes an HTTP answer (CONTRACT.md, "Errors"):
//
//   {"error": {"code": "sold_out", "message": "human readable"}}
//
// with `"order_id": "N"`, `"reminder_id": "N"` (decimal strings) and `"retry_after_s": N` added
// inside "error" when the Failure carries them, and for 429 also a
// `Retry-After: N` header.

#include <boost/beast/http/status.hpp>

#include "core/error_code.hpp"
#include "http/response.hpp"

namespace seckill::http {

/// The status of each code: 400 bad_request, 401 unauthorized, 403 forbidden, 404 not_found,
/// 405 method_not_allowed, 409 sold_out / already_ordered / not_started / ended /
/// already_reminded / invalid_state, 413 payload_too_large, 431 headers_too_large,
/// 429 rate_limited, 503 unavailable, 500 internal.
boost::beast::http::status status_for(ErrorCode code);

/// The JSON error answer for `failure`. Never throws except std::bad_alloc.
Response error_response(const Failure& failure);

}  // namespace seckill::http
