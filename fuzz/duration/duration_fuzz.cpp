// Fuzz target: duration and rate flags (`--reminder-window 15m`, `--ttl 2h30m`,
// `--rate-limit-user 10/s:20`) as people type them.
// Oracle: no crash and no overflow (UBSan); an accepted duration is never negative, and its
// formatted form parses back to the same value; likewise an accepted rate, whose bucket then
// takes a few requests without overflow and never waits longer than one `per`.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/duration.hpp"
#include "core/rate_limit.hpp"

namespace {

void check_rate(std::string_view text) {
  auto rate = seckill::parse_rate_limit(text);
  if (!rate) return;
  if (rate->count < 1 || rate->burst < 1 || rate->per.count() <= 0) std::abort();
  auto again = seckill::parse_rate_limit(seckill::format_rate_limit(*rate));
  if (!again || *again != *rate) std::abort();
  seckill::BucketState state;
  const seckill::BucketState* current = nullptr;
  std::int64_t now = 1'700'000'000'000;
  for (int i = 0; i < 4; ++i) {
    auto d = seckill::take_token(current, now, *rate);
    if (d.next.level < 0 || d.next.level > rate->burst * rate->per.count()) std::abort();
    if (!d.allowed && (d.retry_after.count() <= 0 || d.retry_after > rate->per)) std::abort();
    state = d.next;
    current = &state;
    now += 7;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check_rate(text);
  auto d = seckill::parse_duration(text);
  if (!d) {
    if (d.error().empty()) std::abort();
    return 0;
  }
  if (d->count() < 0) std::abort();
  auto again = seckill::parse_duration(seckill::format_duration(*d));
  if (!again || *again != *d) std::abort();
  return 0;
}
