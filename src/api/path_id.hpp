#pragma once
// Ids in request paths.

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "core/error_code.hpp"
#include "http/request_context.hpp"
#include "id/id_layout.hpp"

namespace seckill::api {

/// The `{name:u64}` path parameter as an id of this service, or a `not_found` Failure ("WHAT N
/// does not exist"). Ids keep bit 63 at 0 (CONTRACT.md, "Ids"; id/id_layout.hpp), so a larger
/// number names nothing, in either mode; checking here also keeps it from the stores, whose
/// columns are signed 64-bit (PostgreSQL refused it as out of range, which answered 503).
inline std::expected<std::uint64_t, Failure> path_id(const http::RequestContext& ctx,
                                                     std::string_view name, std::string_view what) {
  const std::uint64_t value = ctx.path_u64(name);
  if (id::is_id(value)) return value;
  return std::unexpected(
      Failure{ErrorCode::not_found,
              std::string(what) + " " + std::to_string(value) + " does not exist", std::nullopt});
}

}  // namespace seckill::api
