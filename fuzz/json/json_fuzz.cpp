// Fuzz target: JSON request bodies. Arbitrary bytes go through parse_json_object and, when they
// are an object, through every typed field reader the routes use (api/json_fields.hpp) with the
// voucher's own fields and ranges.
// Oracle: no crash; a reader that accepts gives a value inside its contract (an integer within
// [min, max], a time that survives format -> parse to the millisecond); a refusal is always
// `bad_request` with a message.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/json_fields.hpp"
#include "core/voucher.hpp"
#include "http/json_body.hpp"

namespace {

template <class T>
void check_refusal(const std::expected<T, seckill::Failure>& r) {
  if (!r && (r.error().code != seckill::ErrorCode::bad_request || r.error().message.empty())) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace seckill;
  auto body = http::parse_json_object(std::string_view(reinterpret_cast<const char*>(data), size));
  check_refusal(body);
  if (!body) return 0;

  check_refusal(api::string_field(*body, "title"));
  auto stock = api::integer_field(*body, "stock", 1, kMaxVoucherStock);
  check_refusal(stock);
  if (stock && (*stock < 1 || *stock > kMaxVoucherStock)) std::abort();
  for (auto name : {"begin_at", "end_at"}) {
    auto t = api::time_field(*body, name);
    check_refusal(t);
    if (t) {
      // The API shows milliseconds: a time must come back as itself, to the millisecond.
      auto again = parse_rfc3339(format_rfc3339(*t));
      if (!again || *again != std::chrono::floor<std::chrono::milliseconds>(*t)) std::abort();
    }
  }
  return 0;
}
