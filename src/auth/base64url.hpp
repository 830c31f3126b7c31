#pragma once
// Base64url (RFC 4648 section 5) without padding, as used by JWTs (RFC 7515 section 2).

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace seckill::auth {

/// Encodes `bytes` with the URL-safe alphabet and no `=` padding.
std::string base64url_encode(std::string_view bytes);

/// Appends the encoding of `bytes` to `out` (no allocation when `out` has room).
void base64url_encode_append(std::string_view bytes, std::string& out);

/// Decodes strictly: only the URL-safe alphabet, no padding, no whitespace, and the unused low
/// bits of the last character must be zero. Strictness means every byte string has exactly one
/// accepted encoding, so a token's signature cannot be varied without changing its bytes.
/// Returns nullopt on any deviation.
std::optional<std::string> base64url_decode(std::string_view text);

/// The decoded size of `text` if it has a valid length (not 1 mod 4), else nullopt.
std::optional<std::size_t> base64url_decoded_size(std::string_view text);

/// base64url_decode into `out` (no allocation, as strict): the number of bytes written, or
/// nullopt on any deviation or when `out` is too small.
std::optional<std::size_t> base64url_decode_to(std::string_view text, std::span<char> out);

}  // namespace seckill::auth
