#pragma once
// The layout of a global id (CONTRACT.md, "Ids"): bit 63 is 0, bits 62..32 are the seconds since
// 2024-01-01T00:00:00Z (31 bits, enough until 2092), bits 31..0 a sequence number unique within
// the UTC day of those seconds. Uniqueness across processes rests on the per-day sequence alone:
// a shared counter hands every (day, sequence) pair out once, whatever the seconds say.

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace seckill::id {

/// 2024-01-01T00:00:00Z, second 0 of day 0.
inline constexpr std::chrono::sys_seconds kEpoch{
    std::chrono::sys_days{std::chrono::year{2024} / std::chrono::January / 1}};

inline constexpr std::uint32_t kMaxSeconds = 0x7FFF'FFFF;   ///< 2092-01-19T03:14:07Z
inline constexpr std::uint32_t kMaxSequence = 0xFFFF'FFFF;  ///< per UTC day
inline constexpr std::uint32_t kSecondsPerDay = 86'400;

/// The two fields of an id.
struct IdParts {
  std::uint32_t seconds = 0;   ///< since kEpoch
  std::uint32_t sequence = 0;  ///< within the UTC day of `seconds`

  constexpr std::chrono::sys_seconds time() const { return kEpoch + std::chrono::seconds{seconds}; }
  friend constexpr bool operator==(const IdParts&, const IdParts&) = default;
};

/// Packs the fields. Throws std::out_of_range if `seconds` > kMaxSeconds (bit 63 stays 0).
constexpr std::uint64_t encode(std::uint32_t seconds, std::uint32_t sequence) {
  if (seconds > kMaxSeconds) throw std::out_of_range("id seconds beyond 2092");
  return (std::uint64_t{seconds} << 32) | sequence;
}

/// True for a value that can be an id (bit 63 is 0). Ids come from outside in URLs: check first.
constexpr bool is_id(std::uint64_t value) noexcept {
  return (value >> 63) == 0;
}

/// Unpacks an id. Precondition: is_id(id) (bit 63 is ignored otherwise).
constexpr IdParts decode(std::uint64_t id) noexcept {
  return {static_cast<std::uint32_t>((id >> 32) & kMaxSeconds),
          static_cast<std::uint32_t>(id & kMaxSequence)};
}

/// The UTC day of a second, counted from kEpoch's day (0).
constexpr std::uint32_t day_of(std::uint32_t seconds) noexcept {
  return seconds / kSecondsPerDay;
}

/// The first second (midnight UTC) of a day counted from kEpoch's day.
constexpr std::uint32_t first_second_of(std::uint32_t day) noexcept {
  return day * kSecondsPerDay;
}

/// Whole seconds from kEpoch to `t` (rounded down), or nullopt if `t` is before kEpoch or after
/// the last second an id can hold.
constexpr std::optional<std::uint32_t> seconds_since_epoch(
    std::chrono::system_clock::time_point t) noexcept {
  const auto s = (std::chrono::floor<std::chrono::seconds>(t) - kEpoch).count();
  if (s < 0 || s > std::int64_t{kMaxSeconds}) return std::nullopt;
  return static_cast<std::uint32_t>(s);
}

/// The day as the key suffix of its counter: "yyyymmdd" (day 0 is "20240101").
std::string day_key(std::uint32_t day);
/// The ids of a day: [first, end). nullopt for a string that is not a day_key of a day an id
/// can hold.
struct DayIds {
  std::uint64_t first = 0;
  std::uint64_t end = 0;
};
std::optional<DayIds> ids_of_day(std::string_view day_key);

}  // namespace seckill::id
