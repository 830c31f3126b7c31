#include <gtest/gtest.h>

#include "pg_test_schema.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_time.hpp"

using namespace std::chrono;
using namespace seckill::store::postgres;
using seckill::SysTime;
using seckill::testing::PgTestSchema;

TEST(PgConnection, ParametersAndResults) {
  PgTestSchema schema("conn_params", false);
  auto c = schema.connect();
  auto r = c.exec("select $1::bigint + 1, $2::text, $3::text is null, $4::boolean",
                  {std::int64_t{41}, "it's; drop table x", std::nullopt, true});
  ASSERT_EQ(r.rows(), 1);
  EXPECT_EQ(r.int64(0, 0), 42);
  EXPECT_EQ(r.text(0, 1), "it's; drop table x");
  EXPECT_TRUE(r.boolean(0, 2));
  EXPECT_TRUE(r.boolean(0, 3));
}

TEST(PgConnection, TimesRoundTripThroughTheServer) {
  PgTestSchema schema("conn_times", false);
  auto c = schema.connect();
  const SysTime base = sys_days{year{2026} / 11 / 22} + 10h;
  for (auto t :
       {base, SysTime(base + 123456us), SysTime(base + 1us),
        SysTime{sys_days{year{1999} / 12 / 31}}, truncate_to_micros(system_clock::now())}) {
    auto r = c.exec("select " SECKILL_PG_MICROS("$1::timestamptz"), {t});
    EXPECT_EQ(r.time(0, 0), t) << format_pg_time(t);
  }
  // The server's own reading of our text agrees with the epoch.
  auto r = c.exec("select $1::timestamptz = '2026-11-22T10:00:00.123456Z'::timestamptz",
                  {base + 123456us});
  EXPECT_TRUE(r.boolean(0, 0));
}

TEST(PgConnection, ServerErrorsCarrySqlstate) {
  PgTestSchema schema("conn_errors", false);
  auto c = schema.connect();
  c.exec("create table t (id bigint primary key)");
  c.exec("insert into t values ($1)", {1});
  try {
    c.exec("insert into t values ($1)", {1});
    FAIL() << "expected a unique violation";
  } catch (const PgError& e) {
    EXPECT_TRUE(e.is_unique_violation()) << e.sqlstate();
  }
  try {
    c.exec("selec 1");
    FAIL() << "expected a syntax error";
  } catch (const PgError& e) {
    EXPECT_EQ(e.sqlstate(), "42601");
  }
  // The connection is still usable after errors.
  EXPECT_EQ(c.exec("select count(*) from t").int64(0, 0), 1);
}

TEST(PgConnection, PreparedStatementsAreReused) {
  PgTestSchema schema("conn_prepared", false);
  auto c = schema.connect();
  static constexpr PgStatement kDouble{"test_double", "select $1::int * 2"};
  EXPECT_EQ(c.exec(kDouble, {2}).int64(0, 0), 4);
  EXPECT_EQ(c.exec(kDouble, {5}).int64(0, 0), 10);
}

TEST(PgConnection, TransactionRollsBackOnException) {
  PgTestSchema schema("conn_tx", false);
  auto c = schema.connect();
  c.exec("create table t (id bigint primary key)");
  EXPECT_THROW(c.transaction([](PgConnection& tx) {
    tx.exec("insert into t values (1)");
    tx.exec("insert into t values (1)");
  }),
               PgError);
  EXPECT_TRUE(c.healthy());
  EXPECT_EQ(c.exec("select count(*) from t").int64(0, 0), 0);
  int n = c.transaction([](PgConnection& tx) {
    tx.exec("insert into t values (2)");
    return 7;
  });
  EXPECT_EQ(n, 7);
  EXPECT_EQ(c.exec("select count(*) from t").int64(0, 0), 1);
}

TEST(PgConnection, StatementTimeoutIsTimeoutError) {
  PgTestSchema schema("conn_timeout", false);
  auto options = schema.options();
  options.statement_timeout = milliseconds(200);
  auto c = PgConnection::connect(options);
  auto start = steady_clock::now();
  EXPECT_THROW(c.exec("select pg_sleep(5)"), seckill::TimeoutError);
  EXPECT_LT(steady_clock::now() - start, seconds(3));
  EXPECT_TRUE(c.healthy());
}

TEST(PgConnection, UnreachableServerIsIoError) {
  PgConnectOptions options;
  options.conninfo =
      "postgresql://seckill@127.0.0.1:" + std::to_string(seckill::testing::free_port()) +
      "/seckill";
  auto start = steady_clock::now();
  EXPECT_THROW(PgConnection::connect(options), seckill::IoError);
  EXPECT_LT(steady_clock::now() - start, seconds(5));
}

TEST(PgConnection, ServerClosingTheSessionIsNoticed) {
  PgTestSchema schema("conn_killed", false);
  auto victim = schema.connect();
  auto killer = schema.connect();
  auto pid = victim.exec("select pg_backend_pid()").int64(0, 0);
  killer.exec("select pg_terminate_backend($1::int)", {pid});
  // The server has closed the session: either healthy() sees it, or the next statement fails as
  // a connection failure, never as an SQL error.
  for (int i = 0; i < 50 && victim.healthy(); ++i)
    std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(victim.healthy());
  EXPECT_THROW(victim.exec("select 1"), seckill::IoError);
}

// Issue #15, "unknown is unknown": a COMMIT whose answer is lost (here the server process ends
// while running the commit's deferred trigger) may have committed: OutcomeUnknownError, never a
// plain IoError that a caller would answer 503 ("nothing was taken") with. A COMMIT the server
// refuses is still its PgError.
TEST(PgConnection, ACommitWhoseAnswerIsLostIsOutcomeUnknown) {
  PgTestSchema schema("conn_commit_lost", false);
  auto setup = schema.connect();
  setup.exec_script(R"(
    create table t (id int);
    create function end_session() returns trigger language plpgsql as $$
    begin
      if new.id = 1 then perform pg_terminate_backend(pg_backend_pid()); end if;
      if new.id = 2 then raise exception 'refused at commit' using errcode = '23514'; end if;
      return null;
    end $$;
    create constraint trigger end_session_at_commit after insert on t
      deferrable initially deferred for each row execute function end_session();)");
  auto lost = schema.connect();
  EXPECT_THROW(lost.transaction([](PgConnection& tx) { tx.exec("insert into t values (1)"); }),
               seckill::OutcomeUnknownError);
  auto refused = schema.connect();
  try {
    refused.transaction([](PgConnection& tx) { tx.exec("insert into t values (2)"); });
    ADD_FAILURE() << "the commit was not refused";
  } catch (const PgError& e) {
    EXPECT_EQ(e.sqlstate(), kCheckViolation);
  }
  EXPECT_EQ(setup.exec("select count(*) from t").int64(0, 0), 0);
}
