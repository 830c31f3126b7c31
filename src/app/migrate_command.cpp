#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/logging.hpp"
#include "store/postgres/migrations.hpp"

namespace seckill::app {

int run_migrate(const MigrateConfig& config) {
  setup_logging(config.log_level);
  if (config.postgres_url.empty()) {
    fmt::print(stderr,
               "seckill migrate: the embedded store is not built yet; give --postgres URL\n");
    return 1;
  }
  auto report = store::postgres::migrate(config.postgres_url);
  if (report.applied.empty()) {
    fmt::print("schema up to date (version {})\n", report.version);
  } else {
    fmt::print("applied migrations {}; schema now at version {}\n", fmt::join(report.applied, ", "),
               report.version);
  }
  return 0;
}

}  // namespace seckill::app
