#include "http/json_body.hpp"

#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace seckill::http {

std::expected<boost::json::object, Failure> parse_json_object(std::string_view body) {
  if (body.empty()) {
    return std::unexpected(
        Failure{ErrorCode::bad_request, "request body must be a JSON object", {}});
  }
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec) {
    return std::unexpected(
        Failure{ErrorCode::bad_request, "request body is not valid JSON: " + ec.message(), {}});
  }
  if (!value.is_object()) {
    return std::unexpected(
        Failure{ErrorCode::bad_request, "request body must be a JSON object", {}});
  }
  return std::move(value.as_object());
}

}  // namespace seckill::http
