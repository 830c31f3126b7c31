#pragma once
// Time stamps between `seckill::SysTime` and `timestamptz`, at PostgreSQL's precision
// (microseconds). Times go to the server as ISO 8601 text with an explicit UTC offset, which the
// server reads exactly whatever its DateStyle or TimeZone; they come back as whole microseconds
// since the Unix epoch (`(extract(epoch from t) * 1000000)::bigint`, exact since `extract`
// returns numeric), so no client-side date parsing depends on session settings.

#include <cstdint>
#include <string>

#include "core/rfc3339.hpp"

namespace seckill::store::postgres {

/// Microseconds since 1970-01-01T00:00:00Z, rounded down (sub-microsecond digits are dropped,
/// as PostgreSQL would round them away anyway).
std::int64_t epoch_micros(SysTime t);

/// The inverse of `epoch_micros`.
SysTime from_epoch_micros(std::int64_t micros);

/// "2026-11-22 10:00:00.123456+00": a `timestamptz` literal, exact to the microsecond.
std::string format_pg_time(SysTime t);

/// `t` with everything below a microsecond dropped: what a round trip through the store gives.
inline SysTime truncate_to_micros(SysTime t) {
  return from_epoch_micros(epoch_micros(t));
}

/// SQL that selects the `timestamptz` expression `expr` as epoch microseconds, for
/// `PgResult::time`. Used to write queries, never with request data.
#define SECKILL_PG_MICROS(expr) "(extract(epoch from " expr ") * 1000000)::bigint"

}  // namespace seckill::store::postgres
