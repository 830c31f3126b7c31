#pragma once
// Successful JSON answers.

#include <boost/beast/http/status.hpp>
#include <boost/json/value.hpp>

#include "http/response.hpp"

namespace seckill::http {

/// `value` serialized, with `Content-Type: application/json`. Remember that the contract wants
/// 64-bit ids as decimal strings.
Response json_response(boost::beast::http::status status, const boost::json::value& value);

}  // namespace seckill::http
