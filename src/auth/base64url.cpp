#include "auth/base64url.hpp"

#include <array>
#include <cstdint>

namespace seckill::auth {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<std::int8_t, 256> make_decode_table() {
  std::array<std::int8_t, 256> table{};
  for (auto& v : table)
    v = -1;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}

constexpr auto kDecode = make_decode_table();

}  // namespace

void base64url_encode_append(std::string_view bytes, std::string& out) {
  out.reserve(out.size() + (bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    std::uint32_t v = byte(i) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (rest == 2) {
    std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
}

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  base64url_encode_append(bytes, out);
  return out;
}

std::optional<std::size_t> base64url_decoded_size(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  return text.size() / 4 * 3 + (text.size() % 4 == 0 ? 0 : text.size() % 4 - 1);
}

std::optional<std::size_t> base64url_decode_to(std::string_view text, std::span<char> out) {
  auto size = base64url_decoded_size(text);
  if (!size || *size > out.size()) return std::nullopt;
  auto value = [&](std::size_t k) {
    return static_cast<std::int32_t>(kDecode[static_cast<unsigned char>(text[k])]);
  };
  char* p = out.data();
  std::size_t i = 0;
  // Four characters, three bytes at a time; a negative table entry (not in the alphabet) makes
  // the OR of the four negative.
  for (; i + 4 <= text.size(); i += 4) {
    const std::int32_t a = value(i), b = value(i + 1), c = value(i + 2), d = value(i + 3);
    if ((a | b | c | d) < 0) return std::nullopt;
    const auto v = static_cast<std::uint32_t>((a << 18) | (b << 12) | (c << 6) | d);
    *p++ = static_cast<char>(v >> 16);
    *p++ = static_cast<char>((v >> 8) & 0xFF);
    *p++ = static_cast<char>(v & 0xFF);
  }
  const std::size_t rest = text.size() - i;
  if (rest >= 2) {
    const std::int32_t a = value(i), b = value(i + 1), c = rest == 3 ? value(i + 2) : 0;
    if ((a | b | c) < 0) return std::nullopt;
    const auto v = static_cast<std::uint32_t>((a << 18) | (b << 12) | (c << 6));
    *p++ = static_cast<char>(v >> 16);
    if (rest == 3) *p++ = static_cast<char>((v >> 8) & 0xFF);
    // The unused low bits of the last character must be zero: otherwise several texts would
    // decode to the same bytes.
    if ((rest == 2 ? (v & 0xFFFF) : (v & 0xFF)) != 0) return std::nullopt;
  }
  return *size;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  auto size = base64url_decoded_size(text);
  if (!size) return std::nullopt;
  std::string out(*size, '\0');
  if (!base64url_decode_to(text, out)) return std::nullopt;
  return out;
}

}  // namespace seckill::auth
