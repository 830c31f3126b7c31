#pragma once
// Durations as people write them on a command line: "900s", "15m", "1h", "250ms", "2h30m".

#include <chrono>
#include <expected>
#include <string>
#include <string_view>

namespace seckill {

/// Parses a sequence of <integer><unit> parts, unit one of ms, s, m, h, d. A bare integer is
/// refused (the unit is never guessed). Returns a message naming the problem on failure; zero
/// is allowed here (callers that need a positive value say so).
std::expected<std::chrono::milliseconds, std::string> parse_duration(std::string_view text);

/// The inverse, for messages and logs: 900000ms -> "15m", 1500ms -> "1500ms".
std::string format_duration(std::chrono::milliseconds d);

}  // namespace seckill
