#pragma once
// The answer to one statement, owning its `PGresult`. Cells are read as text (the format every
// statement here asks for) and converted with checks: a cell that does not parse is a
// `seckill::ProtocolError`, since it means our SQL and our reading of it disagree.

#include <cstdint>
#include <memory>
#include <string_view>

#include <libpq-fe.h>

#include "core/rfc3339.hpp"

namespace seckill::store::postgres {

struct PgResultDeleter {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

/// A successful result (errors never become a PgResult; see pg_error.hpp). Not thread-safe; may
/// be moved to another thread.
class PgResult {
 public:
  explicit PgResult(PgResultPtr r) : result_(std::move(r)) {}

  int rows() const { return PQntuples(result_.get()); }
  int columns() const { return PQnfields(result_.get()); }
  /// Rows inserted, updated or deleted by the statement (`PQcmdTuples`); 0 for a SELECT.
  std::int64_t affected_rows() const;

  bool is_null(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }
  /// The cell as text; empty for NULL. Valid while this result lives.
  std::string_view text(int row, int col) const;
  /// A `bigint`/`int` cell. Throws ProtocolError if the cell is NULL or not an integer.
  std::int64_t int64(int row, int col) const;
  /// A `bigint` id cell (never negative). Throws ProtocolError otherwise.
  std::uint64_t id(int row, int col) const;
  /// A `boolean` cell.
  bool boolean(int row, int col) const;
  /// A time stamp selected with SECKILL_PG_MICROS(...) (epoch microseconds).
  SysTime time(int row, int col) const;

  PGresult* native() const { return result_.get(); }

 private:
  PgResultPtr result_;
};

}  // namespace seckill::store::postgres
