// Fuzz target: ids as they come from outside, in URL paths (`/vouchers/{id}`), as decimal
// strings read back from Redis, and the reminder queue's `cursor` query parameter.
// Oracle: no crash; parse_decimal accepts only all-digit texts whose value prints back to a text
// that parses to the same value; an id that passes is_id() decodes and re-encodes to itself; an
// accepted cursor formats back to a cursor that parses to the same position.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/decimal.hpp"
#include "core/reminder.hpp"
#include "id/id_layout.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace seckill;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto u = parse_decimal<std::uint64_t>(text);
  if (u) {
    for (char c : text) {
      if (c < '0' || c > '9') std::abort();
    }
    if (parse_decimal<std::uint64_t>(std::to_string(*u)) != u) std::abort();
    if (id::is_id(*u)) {
      auto parts = id::decode(*u);
      if (id::encode(parts.seconds, parts.sequence) != *u) std::abort();
    }
  }
  auto s = parse_decimal<std::int64_t>(text);
  if (s && parse_decimal<std::int64_t>(std::to_string(*s)) != s) std::abort();
  if (u && s && static_cast<std::uint64_t>(*s) != *u) std::abort();

  if (auto cursor = parse_reminder_cursor(text)) {
    auto again = parse_reminder_cursor(format_reminder_cursor(*cursor));
    if (!again || again->first_at != cursor->first_at || again->id != cursor->id) std::abort();
  }
  return 0;
}
