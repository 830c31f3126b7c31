#include "store/postgres/pg_result.hpp"

#include <charconv>

#include <fmt/format.h>

#include "core/infra_error.hpp"
#include "store/postgres/pg_time.hpp"

namespace seckill::store::postgres {

namespace {

std::int64_t parse_int64(std::string_view s, std::string_view what) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) {
    throw ProtocolError(fmt::format("PostgreSQL: {} '{}' is not an integer", what, s));
  }
  return v;
}

}  // namespace

std::int64_t PgResult::affected_rows() const {
  std::string_view s = PQcmdTuples(result_.get());
  return s.empty() ? 0 : parse_int64(s, "row count");
}

std::string_view PgResult::text(int row, int col) const {
  return {PQgetvalue(result_.get(), row, col),
          static_cast<std::size_t>(PQgetlength(result_.get(), row, col))};
}

std::int64_t PgResult::int64(int row, int col) const {
  if (is_null(row, col)) {
    throw ProtocolError(fmt::format("PostgreSQL: unexpected NULL in column {}", col));
  }
  return parse_int64(text(row, col), "cell");
}

std::uint64_t PgResult::id(int row, int col) const {
  auto v = int64(row, col);
  if (v < 0) throw ProtocolError(fmt::format("PostgreSQL: negative id {}", v));
  return static_cast<std::uint64_t>(v);
}

bool PgResult::boolean(int row, int col) const {
  auto s = text(row, col);
  if (s == "t") return true;
  if (s == "f") return false;
  throw ProtocolError(fmt::format("PostgreSQL: '{}' is not a boolean", s));
}

SysTime PgResult::time(int row, int col) const {
  return from_epoch_micros(int64(row, col));
}

}  // namespace seckill::store::postgres
