#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "pg_test_schema.hpp"
#include "store/postgres/migrations.hpp"

using namespace seckill::store::postgres;
using seckill::testing::PgTestSchema;

namespace {

/// The schema's shape: tables, columns, types, and constraint/index names.
std::string describe(PgConnection& c) {
  auto r = c.exec(
      "select string_agg(x, E'\\n' order by x) from ("
      " select table_name || '.' || column_name || ':' || data_type as x"
      "   from information_schema.columns where table_schema = current_schema()"
      " union all select indexname from pg_indexes where schemaname = current_schema()"
      " union all select conname::text from pg_constraint c join pg_namespace n"
      "   on n.oid = c.connamespace where n.nspname = current_schema()) s");
  return std::string(r.text(0, 0));
}

}  // namespace

TEST(Migrations, CreatesTheContractTables) {
  PgTestSchema schema("mig_tables", false);
  auto report = migrate(schema.options());
  EXPECT_EQ(report.version, migrations().back().version);
  EXPECT_EQ(report.applied.size(), migrations().size());
  auto c = schema.connect();
  auto shape = describe(c);
  for (const char* expected : {"vouchers.id:bigint",
                               "vouchers.title:text",
                               "vouchers.stock_total:integer",
                               "vouchers.stock_left:integer",
                               "vouchers.begin_at:timestamp with time zone",
                               "vouchers.end_at:timestamp with time zone",
                               "vouchers.created_at:timestamp with time zone",
                               "orders.id:bigint",
                               "orders.user_id:bigint",
                               "orders.voucher_id:bigint",
                               "orders.created_at:timestamp with time zone",
                               "orders_one_per_user",
                               "orders_voucher_id_fkey",
                               "orders_voucher_id_id_idx",
                               "orders_user_id_id_idx",
                               "reminders.id:bigint",
                               "reminders.ticket:text",
                               "reminders.status:text",
                               "reminders.acked_by:bigint",
                               "reminders.resolved_at:timestamp with time zone",
                               "reminder_users.at:timestamp with time zone",
                               "reminder_users_pkey",
                               "reminder_users_reminder_id_fkey",
                               "reminders_ticket_first_at_idx",
                               "reminders_status_first_at_idx",
                               "fencing_tokens.token:bigint",
                               "schema_migrations_pkey"}) {
    EXPECT_NE(shape.find(expected), std::string::npos) << expected << "\n" << shape;
  }
}

TEST(Migrations, TwiceIsANoOp) {
  PgTestSchema schema("mig_twice", false);
  migrate(schema.options());
  auto c = schema.connect();
  auto before = describe(c);
  auto report = migrate(schema.options());
  EXPECT_TRUE(report.applied.empty());
  EXPECT_EQ(report.version, migrations().back().version);
  EXPECT_EQ(describe(c), before);
  EXPECT_EQ(c.exec("select count(*) from schema_migrations").int64(0, 0),
            static_cast<std::int64_t>(migrations().size()));
}

TEST(Migrations, TenAtOnceApplyOnce) {
  PgTestSchema schema("mig_race", false);
  constexpr int kInstances = 10;
  std::vector<std::thread> threads;
  std::vector<MigrationReport> reports(kInstances);
  std::vector<std::string> errors(kInstances);
  for (int i = 0; i < kInstances; ++i) {
    threads.emplace_back([&, i] {
      try {
        reports[static_cast<std::size_t>(i)] = migrate(schema.options());
      } catch (const std::exception& e) {
        errors[static_cast<std::size_t>(i)] = e.what();
      }
    });
  }
  for (auto& t : threads)
    t.join();
  std::size_t applied = 0;
  for (int i = 0; i < kInstances; ++i) {
    EXPECT_EQ(errors[static_cast<std::size_t>(i)], "");
    applied += reports[static_cast<std::size_t>(i)].applied.size();
    EXPECT_EQ(reports[static_cast<std::size_t>(i)].version, migrations().back().version);
  }
  EXPECT_EQ(applied, migrations().size());
  auto c = schema.connect();
  EXPECT_EQ(c.exec("select count(*) from schema_migrations").int64(0, 0),
            static_cast<std::int64_t>(migrations().size()));
}

TEST(Migrations, ConninfoOverload) {
  // The app's entry point, on the default schema of the test database: must also be idempotent.
  EXPECT_NO_THROW(migrate(seckill::testing::postgres_url()));
  auto report = migrate(seckill::testing::postgres_url());
  EXPECT_TRUE(report.applied.empty());
}
