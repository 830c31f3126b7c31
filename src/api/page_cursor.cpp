#include "api/page_cursor.hpp"

#include <fmt/format.h>

#include "auth/base64url.hpp"
#include "core/decimal.hpp"
#include "id/id_layout.hpp"
#include "sale/sale_service.hpp"

namespace seckill::api {

namespace {

std::string_view prefix(CursorKind kind) {
  return kind == CursorKind::vouchers ? "v:" : "o:";
}

std::unexpected<Failure> bad(std::string message) {
  return std::unexpected(Failure{ErrorCode::bad_request, std::move(message), {}});
}

}  // namespace

std::string format_page_cursor(CursorKind kind, std::uint64_t id) {
  return auth::base64url_encode(fmt::format("{}{}", prefix(kind), id));
}

std::optional<std::uint64_t> parse_page_cursor(CursorKind kind, std::string_view text) {
  auto bytes = auth::base64url_decode(text);
  if (!bytes || !bytes->starts_with(prefix(kind))) return std::nullopt;
  auto id = parse_decimal<std::uint64_t>(std::string_view(*bytes).substr(prefix(kind).size()));
  if (!id || !id::is_id(*id)) return std::nullopt;
  return id;
}

std::expected<PageRequest, Failure> page_request(const http::RequestContext& ctx, CursorKind kind) {
  PageRequest page{.limit = sale::kDefaultPageLimit, .after = std::nullopt};
  if (auto text = ctx.query("limit")) {
    auto value = parse_decimal<int>(*text);
    if (!value || *value < 1 || *value > sale::kMaxPageLimit) {
      return bad(fmt::format("limit must be an integer from 1 to {}", sale::kMaxPageLimit));
    }
    page.limit = *value;
  }
  if (auto text = ctx.query("after"); text && !text->empty()) {
    page.after = parse_page_cursor(kind, *text);
    if (!page.after) {
      return bad("after must be a cursor this API gave as 'next' for the same listing");
    }
  }
  return page;
}

}  // namespace seckill::api
