#pragma once
// The stable error codes of the contract (../shared/CONTRACT.md, "Errors"). A use case returns a
// `Failure` as a value; the HTTP layer maps its code to a status in exactly one place
// (http/error_response.cpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace seckill {

enum class ErrorCode {
  bad_request,
  unauthorized,
  forbidden,
  not_found,
  method_not_allowed,
  sold_out,
  already_ordered,
  not_started,
  ended,
  already_reminded,
  invalid_state,
  payload_too_large,
  headers_too_large,
  rate_limited,
  unavailable,
  internal,
};

/// The code as it appears in the error body, e.g. "sold_out".
std::string_view to_string(ErrorCode code);

/// An expected outcome that is not a success: what went wrong, for the client to read.
struct Failure {
  ErrorCode code;
  std::string message;
  /// For `already_reminded` and `rate_limited`: when trying again can succeed.
  std::optional<long long> retry_after_s;
  /// For `already_ordered`: the order the caller holds (so a client that lost an answer learns it).
  std::optional<std::uint64_t> order_id{};
  /// For `already_reminded`: the record the caller's reminder is in.
  std::optional<std::uint64_t> reminder_id{};
};

}  // namespace seckill
