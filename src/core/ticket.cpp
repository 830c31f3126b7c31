#include "core/ticket.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace seckill {

namespace {

// Not std::isalnum: that depends on the locale, and a ticket is ASCII only.
bool is_ticket_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

}  // namespace

bool is_valid_ticket(std::string_view ticket) {
  return !ticket.empty() && ticket.size() <= kMaxTicketLength &&
         std::ranges::all_of(ticket, is_ticket_char);
}

std::optional<Failure> validate_ticket(std::string_view ticket) {
  if (is_valid_ticket(ticket)) return std::nullopt;
  return Failure{
      ErrorCode::bad_request,
      fmt::format("a ticket number is 1 to {} characters of A-Z a-z 0-9 _ -", kMaxTicketLength),
      {}};
}

}  // namespace seckill
