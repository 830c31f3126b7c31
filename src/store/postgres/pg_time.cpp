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
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}+00", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                     hms.subseconds().count());
}

}  // namespace seckill::store::postgres
