#pragma once
// JSON text written by hand for the answers every request of a sale or a reminder storm gets (an
// error, an order id): building a boost::json::object and serializing it cost more than the rest
// of such an answer. The output is byte for byte what boost::json::serialize writes (tests).

#include <cstdint>
#include <string>
#include <string_view>

namespace seckill::http {

/// Appends `text` as a JSON string, quotes included: `"` and `\` escaped, control characters as
/// \b \t \n \f \r or \u00XX, every other byte as it is (as Boost.JSON does).
void append_json_string(std::string& out, std::string_view text);

/// Appends `value` as a JSON number.
void append_json_integer(std::string& out, std::int64_t value);

}  // namespace seckill::http
