#pragma once
// Reading a JSON request body.

#include <expected>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/error_code.hpp"

namespace seckill::http {

/// The body as a JSON object. An empty body, malformed JSON (including trailing garbage) or any
/// other JSON value gives a `bad_request` Failure whose message says which. Checking the fields
/// (types, ranges) is the caller's job. Never throws except std::bad_alloc.
std::expected<boost::json::object, Failure> parse_json_object(std::string_view body);

}  // namespace seckill::http
