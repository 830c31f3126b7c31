#pragma once
// Reading typed fields of a JSON request body, each failure a `bad_request` naming the field.

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/error_code.hpp"
#include "core/rfc3339.hpp"

namespace seckill::api {

std::expected<std::string, Failure> string_field(const boost::json::object& body,
                                                 std::string_view name);

/// An integer (not 5.0, not "5") from `min` to `max`.
std::expected<std::int64_t, Failure> integer_field(const boost::json::object& body,
                                                   std::string_view name, std::int64_t min,
                                                   std::int64_t max);

/// An RFC 3339 time string.
std::expected<SysTime, Failure> time_field(const boost::json::object& body, std::string_view name);

/// The contract writes 64-bit ids as decimal strings (JavaScript loses precision above 2^53).
inline std::string id_string(std::uint64_t id) {
  return std::to_string(id);
}

}  // namespace seckill::api
