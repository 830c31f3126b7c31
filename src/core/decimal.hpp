#pragma once
// Reading a whole string as a decimal number: ids and counters as Redis and URLs carry them.

#include <charconv>
#include <optional>
#include <string_view>

namespace seckill {

/// The number `text` spells, all of it (no sign for unsigned types, no spaces, no trailing
/// characters); nullopt otherwise, and for an empty text or an out-of-range value.
template <class T>
std::optional<T> parse_decimal(std::string_view text) {
  T value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace seckill
