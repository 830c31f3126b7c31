#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/logging.hpp"
#include "store/postgres/migrations.hpp"
#include "store/postgres/pg_error.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace seckill::app {

int run_migrate(const MigrateConfig& config) {
  setup_logging(config.log_level);
  if (config.postgres_url.empty()) {
    // Opening the embedded store applies its schema.
    store::sqlite::SqliteDatabaseOptions options;
    options.data_dir = config.data_dir;
    store::sqlite::SqliteDatabase db(options);
    db.stop();
    fmt::print("embedded store {}/seckill.db is up to date\n", config.data_dir);
    return 0;
  }
  store::postgres::MigrationReport report;
  try {
    report = store::postgres::migrate(config.postgres_url);
  } catch (const store::postgres::PgRefusedError& e) {
    // A wrong password or certificate is a configuration error. The URL is not shown: a password
    // may be in it (userinfo or `?password=`), and libpq's message names the host and user.
    fmt::print(stderr, "seckill migrate: --postgres: {}\n", e.what());
    return 2;
  }
  if (report.applied.empty()) {
    fmt::print("schema up to date (version {})\n", report.version);
  } else {
    fmt::print("applied migrations {}; schema now at version {}\n", fmt::join(report.applied, ", "),
               report.version);
  }
  return 0;
}

}  // namespace seckill::app
