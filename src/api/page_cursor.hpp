#pragma once
// The opaque cursors of the listings (`after=` in, `next` out): base64url of "KIND:ID", the id
// the next page continues below. Opaque so clients do not build them; the kind keeps a cursor of
// one listing from being taken by another.

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "core/error_code.hpp"
#include "http/request_context.hpp"

namespace seckill::api {

enum class CursorKind { vouchers, orders };

std::string format_page_cursor(CursorKind kind, std::uint64_t id);
/// The id in a cursor this API gave for `kind`, or nullopt.
std::optional<std::uint64_t> parse_page_cursor(CursorKind kind, std::string_view text);

/// The `limit` and `after` query parameters of a listing, or a bad_request naming the one at
/// fault: limit 1..sale::kMaxPageLimit (default sale::kDefaultPageLimit), after a cursor of
/// `kind` (absent or empty: the first page).
struct PageRequest {
  int limit = 0;
  std::optional<std::uint64_t> after;
};
std::expected<PageRequest, Failure> page_request(const http::RequestContext& ctx, CursorKind kind);

}  // namespace seckill::api
