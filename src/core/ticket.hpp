#pragma once
// A fault ticket number, as the contract defines it: 1 to 64 characters of `A-Z a-z 0-9 _ -`.
// Because of that alphabet a ticket can be put into a Redis key or a URL path as it is.

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/error_code.hpp"

namespace seckill {

inline constexpr std::size_t kMaxTicketLength = 64;

/// Whether `ticket` is a valid ticket number.
bool is_valid_ticket(std::string_view ticket);

/// nullopt for a valid ticket, else a `bad_request` Failure that says what a ticket must be.
std::optional<Failure> validate_ticket(std::string_view ticket);

}  // namespace seckill
