#include "id/id_layout.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace seckill::id {

std::string day_key(std::uint32_t day) {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(kEpoch) +
                                        std::chrono::days{day}};
  return fmt::format("{:04}{:02}{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

std::optional<DayIds> ids_of_day(std::string_view key) {
  if (key.size() != 8 || !std::ranges::all_of(key, [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  auto number = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i)
      v = v * 10 + (key[i] - '0');
    return v;
  };
  const std::chrono::year_month_day ymd{std::chrono::year{number(0, 4)},
                                        std::chrono::month{static_cast<unsigned>(number(4, 2))},
                                        std::chrono::day{static_cast<unsigned>(number(6, 2))}};
  if (!ymd.ok()) return std::nullopt;
  const auto day =
      (std::chrono::sys_days{ymd} - std::chrono::floor<std::chrono::days>(kEpoch)).count();
  if (day < 0 || day > std::int64_t{kMaxSeconds / kSecondsPerDay}) return std::nullopt;
  const auto first_second = first_second_of(static_cast<std::uint32_t>(day));
  const std::uint64_t end_second = std::min<std::uint64_t>(
      std::uint64_t{first_second} + kSecondsPerDay, std::uint64_t{kMaxSeconds} + 1);
  return DayIds{std::uint64_t{first_second} << 32, end_second << 32};
}

}  // namespace seckill::id
