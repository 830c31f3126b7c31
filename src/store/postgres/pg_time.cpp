#include "store/postgres/pg_time.hpp"

#include <chrono>

#include <fmt/format.h>

namespace seckill::store::postgres {

std::int64_t epoch_micros(SysTime t) {
  using namespace std::chrono;
  return floor<microseconds>(t.time_since_epoch()).count();
}

SysTime from_epoch_micros(std::int64_t micros) {
  using namespace std::chrono;
  return SysTime{duration_cast<SysTime::duration>(microseconds{micros})};
}

std::string format_pg_time(SysTime t) {
  using namespace std::chrono;
  auto us = floor<microseconds>(t);
  auto day = floor<days>(us);
  year_month_day ymd{day};
  hh_mm_ss hms{us - day};
  const int y = static_cast<int>(ymd.year());
  if (y < 0 || y > 9999) {
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}+00", y,
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                       hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                       hms.subseconds().count());
  }
  // Digits written into a fixed layout: this runs for every stored order and reminder, and
  // fmt's parsing of the format string was most of its cost.
  std::string out = "0000-00-00 00:00:00.000000+00";
  auto put = [&out](std::size_t at, std::int64_t value, std::size_t width) {
    for (std::size_t i = width; i-- > 0;) {
      out[at + i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, y, 4);
  put(5, static_cast<unsigned>(ymd.month()), 2);
  put(8, static_cast<unsigned>(ymd.day()), 2);
  put(11, hms.hours().count(), 2);
  put(14, hms.minutes().count(), 2);
  put(17, hms.seconds().count(), 2);
  put(20, hms.subseconds().count(), 6);
  return out;
}

}  // namespace seckill::store::postgres
