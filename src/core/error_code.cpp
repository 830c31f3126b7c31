#include "core/error_code.hpp"

namespace seckill {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request:
      return "bad_request";
    case ErrorCode::unauthorized:
      return "unauthorized";
    case ErrorCode::forbidden:
      return "forbidden";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::method_not_allowed:
      return "method_not_allowed";
    case ErrorCode::sold_out:
      return "sold_out";
    case ErrorCode::already_ordered:
      return "already_ordered";
    case ErrorCode::not_started:
      return "not_started";
    case ErrorCode::ended:
      return "ended";
    case ErrorCode::already_reminded:
      return "already_reminded";
    case ErrorCode::invalid_state:
      return "invalid_state";
    case ErrorCode::payload_too_large:
      return "payload_too_large";
    case ErrorCode::headers_too_large:
      return "headers_too_large";
    case ErrorCode::rate_limited:
      return "rate_limited";
    case ErrorCode::unavailable:
      return "unavailable";
    case ErrorCode::internal:
      return "internal";
  }
  return "internal";
}

}  // namespace seckill
