// Fuzz target: ticket numbers, as they arrive in `/tickets/{ticket}/reminders`: a path segment,
// percent-decoded by the router, then validated.
// Oracle: no crash; is_valid_ticket and validate_ticket agree; a valid ticket is 1 to 64
// characters of `A-Z a-z 0-9 _ -` (so it is safe in a Redis key and a URL as it is).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <boost/url/pct_string_view.hpp>

#include "core/ticket.hpp"

namespace {

void check(std::string_view ticket) {
  const bool valid = seckill::is_valid_ticket(ticket);
  const auto failure = seckill::validate_ticket(ticket);
  if (valid == failure.has_value()) std::abort();
  if (failure && failure->code != seckill::ErrorCode::bad_request) std::abort();
  if (!valid) return;
  if (ticket.empty() || ticket.size() > seckill::kMaxTicketLength) std::abort();
  for (char c : ticket) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check(text);
  auto encoded = boost::urls::make_pct_string_view(text);
  if (encoded) check(encoded->decode());
  return 0;
}
