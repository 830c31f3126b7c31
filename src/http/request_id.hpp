#pragma once
// The request id that ties a request's log lines together and goes back to the client.

#include <string>
#include <string_view>

#include "http/request_context.hpp"

namespace seckill::http {

inline constexpr std::string_view kRequestIdHeader = "X-Request-Id";

/// The request's id: the client's `X-Request-Id` when it is 1 to 64 characters of
/// `A-Z a-z 0-9 . _ -` (anything else could forge log lines or headers), else a new one, 15 hex
/// digits unique within the process and random across processes. A new or replaced id is set on
/// `request`, so whatever reads the request later (handlers, logs) sees the same id. The server
/// echoes it in the response.
std::string ensure_request_id(Request& request);

/// Whether `id` is acceptable as a client-given request id.
bool valid_request_id(std::string_view id);

}  // namespace seckill::http
