#include "store/postgres/migrations.hpp"

#include "seckill_store_pg_embedded.hpp"

namespace seckill::store::postgres {

namespace {

// pg_advisory_lock key shared by every seckill instance ("SECKILL" in ASCII). The lock is per
// database; schemas of one database migrate one after the other, which is harmless.
constexpr std::int64_t kMigrationLockKey = 0x5345434b494c4c;

constexpr std::string_view kCreateVersionTable = R"(
create table if not exists schema_migrations (
  version    int primary key,
  name       text not null,
  applied_at timestamptz not null default now()
))";

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1, "initial", sql::migration_0001_initial},
      {2, "reminder_user_windows", sql::migration_0002_reminder_user_windows},
      {3, "order_listings", sql::migration_0003_order_listings},
  };
  return all;
}

MigrationReport migrate(const PgConnectOptions& options) {
  auto conn = PgConnection::connect(options);
  conn.exec("select pg_advisory_lock($1)", {kMigrationLockKey});
  // The lock is released explicitly on success; on failure closing the session releases it.
  MigrationReport report;
  conn.exec(kCreateVersionTable);
  auto current = conn.exec("select coalesce(max(version), 0) from schema_migrations").int64(0, 0);
  for (const auto& m : migrations()) {
    if (m.version <= current) continue;
    conn.transaction([&](PgConnection& c) {
      c.exec_script(m.sql);
      c.exec("insert into schema_migrations (version, name) values ($1, $2)", {m.version, m.name});
    });
    report.applied.push_back(m.version);
    current = m.version;
  }
  report.version = static_cast<int>(current);
  conn.exec("select pg_advisory_unlock($1)", {kMigrationLockKey});
  return report;
}

MigrationReport migrate(const std::string& conninfo) {
  PgConnectOptions options;
  options.conninfo = conninfo;
  // Creating indexes on a large existing table may take long; only a lost server should stop it.
  options.statement_timeout = std::chrono::minutes(10);
  return migrate(options);
}

}  // namespace seckill::store::postgres
