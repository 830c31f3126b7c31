#pragma once
// The schema, as numbered migrations (sql/migration_NNNN_*.sql, compiled in). `seckill migrate`
// and `seckill serve` call `migrate`; many instances starting at once apply each migration
// exactly once, because they take the same advisory lock and re-read the applied versions under
// it.

#include <string>
#include <string_view>
#include <vector>

#include "store/postgres/pg_connection.hpp"

namespace seckill::store::postgres {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

/// Every migration this build knows, by increasing version.
const std::vector<Migration>& migrations();

struct MigrationReport {
  std::vector<int> applied;  ///< versions applied by this call (empty if already up to date)
  int version = 0;           ///< the schema's version afterwards
};

/// Brings the schema up to date: creates `schema_migrations` if missing, then applies each
/// missing migration in its own transaction, recording it there. Holds a session advisory lock
/// meanwhile. Idempotent. Throws IoError, TimeoutError or PgError. Blocking: not for an I/O
/// thread.
MigrationReport migrate(const PgConnectOptions& options);

/// The same with default options for `conninfo` (a libpq URI).
MigrationReport migrate(const std::string& conninfo);

}  // namespace seckill::store::postgres
