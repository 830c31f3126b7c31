#include "id/id_layout.hpp"

#include <fmt/format.h>

namespace seckill::id {

std::string day_key(std::uint32_t day) {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(kEpoch) +
                                        std::chrono::days{day}};
  return fmt::format("{:04}{:02}{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

}  // namespace seckill::id
