#include "http/error_response.hpp"

#include <string>

#include "http/json_text.hpp"

namespace seckill::http {

using boost::beast::http::status;

status status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request:
      return status::bad_request;
    case ErrorCode::unauthorized:
      return status::unauthorized;
    case ErrorCode::forbidden:
      return status::forbidden;
    case ErrorCode::not_found:
      return status::not_found;
    case ErrorCode::method_not_allowed:
      return status::method_not_allowed;
    case ErrorCode::sold_out:
    case ErrorCode::already_ordered:
    case ErrorCode::not_started:
    case ErrorCode::ended:
    case ErrorCode::already_reminded:
    case ErrorCode::invalid_state:
      return status::conflict;
    case ErrorCode::payload_too_large:
      return status::payload_too_large;
    case ErrorCode::headers_too_large:
      return status::request_header_fields_too_large;
    case ErrorCode::rate_limited:
      return status::too_many_requests;
    case ErrorCode::unavailable:
      return status::service_unavailable;
    case ErrorCode::internal:
      return status::internal_server_error;
  }
  return status::internal_server_error;
}

Response error_response(const Failure& failure) {
  // {"error":{"code":"...","message":"...","order_id":"N","retry_after_s":N}}, written directly
  // (json_text.hpp).
  std::string body;
  body.reserve(48 + failure.message.size());
  body.append(R"({"error":{"code":)");
  append_json_string(body, to_string(failure.code));
  body.append(R"(,"message":)");
  append_json_string(body, failure.message);
  // Ids are decimal strings in JSON (CONTRACT.md: JavaScript loses precision above 2^53).
  if (failure.order_id) {
    body.append(R"(,"order_id":")");
    body.append(std::to_string(*failure.order_id));
    body.push_back('"');
  }
  if (failure.reminder_id) {
    body.append(R"(,"reminder_id":")");
    body.append(std::to_string(*failure.reminder_id));
    body.push_back('"');
  }
  if (failure.retry_after_s) {
    body.append(R"(,"retry_after_s":)");
    append_json_integer(body, *failure.retry_after_s);
  }
  body.append("}}");
  Response response(status_for(failure.code), std::move(body));
  if (failure.code == ErrorCode::rate_limited && failure.retry_after_s) {
    response.set_header("Retry-After",
                        std::to_string(*failure.retry_after_s < 0 ? 0 : *failure.retry_after_s));
  }
  return response;
}

}  // namespace seckill::http
