#include "store/postgres/pg_error.hpp"

// What the writers' batch writes throw (issue #15, "outage is never a verdict"): a store that
// cannot take writes now — here read-only, as a promoted replica or a demoted primary is for a
// while after a failover — is an outage (not a ReplyError: the writer retries, never
// dead-letters); a row the store refuses on its own merits stays a ReplyError (poison).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "store/pg_test_schema.hpp"
#include "store/postgres/order_store.hpp"
#include "store/postgres/reminder_store.hpp"

namespace seckill::store::postgres {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

const SysTime kBegin = SysTime(std::chrono::sys_days(std::chrono::year(2026) / 11 / 22));

template <class T>
T run(asio::awaitable<T> a) {
  asio::io_context io;
  auto f = asio::co_spawn(io, std::move(a), asio::use_future);
  io.run();
  return f.get();
}

TEST(PgWriterErrors, TheSqlstateClassDecides) {
  EXPECT_TRUE(PgError("x", "23505").is_refusal());
  EXPECT_TRUE(PgError("x", "23514").is_refusal());
  EXPECT_TRUE(PgError("x", "22003").is_refusal());
  for (const char* outage : {"25006", "08006", "57P01", "57P03", "53300", "58030", "40001", "40P01",
                             "55P03", "42501", ""}) {
    EXPECT_FALSE(PgError("x", outage).is_refusal()) << outage;
    EXPECT_THROW(throw_for_writer(PgError("x", outage)), PgUnavailableError) << outage;
  }
  EXPECT_THROW(throw_for_writer(PgError("x", "23503")), PgError);
}

// The options of a connection whose transactions are read-only by default.
PgConnectOptions read_only(PgConnectOptions options) {
  options.conninfo += options.conninfo.find('?') == std::string::npos ? "?" : "&";
  // The URL's `options` replaces the session options the connection makes (search_path too).
  options.conninfo += "options=-c%20TimeZone%3DUTC%20-c%20search_path%3D" + options.schema +
                      "%20-c%20default_transaction_read_only%3Don";
  return options;
}

TEST(PgWriterErrors, AReadOnlyStoreIsAnOutageForBothWriters) {
  testing::PgTestSchema schema("writer_errors");
  schema.connect().exec(
      "insert into vouchers (id, title, stock_total, stock_left, begin_at, end_at) values "
      "(7, 't', 3, 3, '2026-11-22T00:00:00Z', '2026-11-23T00:00:00Z')");
  PgPoolOptions options;
  options.connect = read_only(schema.options());
  options.size = 1;
  PgPool pool(options);
  PgOrderStore orders(pool);
  std::vector<OrderRow> rows{{101, 1, 7, kBegin + 1h}};
  try {
    run(orders.write_orders(rows));
    ADD_FAILURE() << "a read-only store took the write";
  } catch (const ReplyError& e) {
    ADD_FAILURE() << "a read-only store is not a refusal of the rows: " << e.what();
  } catch (const PgUnavailableError& e) {
    EXPECT_EQ(e.sqlstate(), "25006");
  }
  PgReminderStore reminders(pool);
  std::vector<ReminderEvent> events{ReminderEvent{
      .reminder_id = 9, .ticket = "T", .user_id = 1, .at = kBegin, .new_record = true}};
  EXPECT_THROW(run(reminders.write_reminder_events(events)), PgUnavailableError);
  pool.stop();
}

TEST(PgWriterErrors, ARowRefusedOnItsMeritsStaysAReplyError) {
  testing::PgTestSchema schema("writer_refusal");
  PgPoolOptions options;
  options.connect = schema.options();
  options.size = 1;
  PgPool pool(options);
  PgOrderStore orders(pool);
  std::vector<OrderRow> rows{{101, 1, 424242, kBegin + 1h}};  // no such voucher: 23503
  try {
    run(orders.write_orders(rows));
    ADD_FAILURE() << "an order of an unknown voucher was stored";
  } catch (const PgError& e) {
    EXPECT_EQ(e.sqlstate(), kForeignKeyViolation);
  }
  pool.stop();
}

}  // namespace
}  // namespace seckill::store::postgres
