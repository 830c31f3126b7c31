#pragma once
// Times on the wire: RFC 3339 in UTC, as the contract says ("2026-11-22T10:00:00Z").

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace seckill {

using SysTime = std::chrono::system_clock::time_point;

/// "2026-11-22T10:00:00Z", or with milliseconds ("...T10:00:00.123Z") when they are not zero.
std::string format_rfc3339(SysTime t);

/// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" (also a lower-case t/z or a space
/// for T); nullopt if malformed or out of range (from year 1970 to 2262-04-11, the last second a
/// SysTime holds).
std::optional<SysTime> parse_rfc3339(std::string_view text);

}  // namespace seckill
