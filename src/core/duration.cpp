#include "core/duration.hpp"

#include <cstdint>
#include <limits>

#include <fmt/format.h>

namespace seckill {

std::expected<std::chrono::milliseconds, std::string> parse_duration(std::string_view text) {
  if (text.empty()) return std::unexpected("empty duration (write e.g. 900s, 15m, 1h)");
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max() / 1000;
  std::int64_t total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t n = 0;
    std::size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (n > kMax / 10) return std::unexpected(fmt::format("duration '{}' is too large", text));
      n = n * 10 + (text[i] - '0');
      ++i;
      ++digits;
    }
    if (digits == 0) {
      return std::unexpected(
          fmt::format("malformed duration '{}' (write e.g. 900s, 15m, 1h)", text));
    }
    std::size_t unit_start = i;
    while (i < text.size() && (text[i] < '0' || text[i] > '9'))
      ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    std::int64_t factor = 0;
    if (unit == "ms")
      factor = 1;
    else if (unit == "s")
      factor = 1000;
    else if (unit == "m")
      factor = 60 * 1000;
    else if (unit == "h")
      factor = 3600 * 1000;
    else if (unit == "d")
      factor = 86400 * 1000;
    else {
      return std::unexpected(
          fmt::format("malformed duration '{}': unit must be one of ms, s, m, h, d", text));
    }
    if (n > (kMax - total_ms) / factor) {
      return std::unexpected(fmt::format("duration '{}' is too large", text));
    }
    total_ms += n * factor;
  }
  return std::chrono::milliseconds(total_ms);
}

std::string format_duration(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0) return fmt::format("{}h", ms / 3'600'000);
  if (ms != 0 && ms % 60'000 == 0) return fmt::format("{}m", ms / 60'000);
  if (ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}ms", ms);
}

}  // namespace seckill
