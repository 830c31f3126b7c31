// `seckill check` over a sale and a reminder storm: it passes, and each audit rule goes red on a
// planted difference (a stored reminder user gone, a voucher's stock_left off by one).
#include <csignal>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/wait.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "support/test_env.hpp"
#include "system/seckill_cluster.hpp"

using namespace seckill::testing;

namespace {

// `seckill check` with `flags` against the test run's Redis and PostgreSQL; its exit code.
int run_check(const std::string& flags, std::string& log) {
  auto cmd = fmt::format("'{}' check --redis '{}' --postgres '{}' {} >/tmp/seckill-check2.log 2>&1",
                         seckill_binary(), redis_url(), postgres_url(), flags);
  int status = std::system(cmd.c_str());
  std::ifstream in("/tmp/seckill-check2.log");
  log.assign(std::istreambuf_iterator<char>(in), {});
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void storm(SeckillCluster& cluster, const std::string& voucher, const std::string& ticket) {
  for (std::uint64_t u = 0; u < 30; ++u) {
    auto client = cluster.client(static_cast<int>(u % 2));
    client.request("POST", fmt::format("/api/v1/vouchers/{}/orders", voucher),
                   token_for(900'000 + u));
    auto answer = client.request("POST", fmt::format("/api/v1/tickets/{}/reminders", ticket),
                                 token_for(900'000 + u));
    ASSERT_EQ(answer.status, 201) << answer.body;
  }
}

}  // namespace

TEST(Check, ReminderUsersAndStockGoRedOnAPlantedDifference) {
  SeckillCluster cluster(2);
  auto client = cluster.client(0);
  auto voucher = create_voucher(client, 10);
  const std::string ticket = fmt::format("CHK-{}", voucher);
  storm(cluster, voucher, ticket);
  std::string log;
  ASSERT_EQ(run_check("", log), 0) << log;

  // A stored user of the record Redis points at, gone.
  auto record =
      cluster.store_value(fmt::format("select id from reminders where ticket = '{}'", ticket));
  auto user = cluster.store_value(
      fmt::format("select user_id from reminder_users where reminder_id = {} limit 1", record));
  auto at = cluster.store_value(fmt::format(
      "select at from reminder_users where reminder_id = {} and user_id = {}", record, user));
  cluster.store_value(fmt::format(
      "delete from reminder_users where reminder_id = {} and user_id = {} returning user_id",
      record, user));
  EXPECT_EQ(run_check("", log), 1) << log;
  EXPECT_NE(log.find(fmt::format("user {} is in reminder {} in the coordinator, not in the store",
                                 user, record)),
            std::string::npos)
      << log;
  cluster.store_value(
      fmt::format("insert into reminder_users (reminder_id, user_id, at) values ({}, {}, '{}') "
                  "returning user_id",
                  record, user, at));
  ASSERT_EQ(run_check("", log), 0) << log;

  // One voucher's stock_left off by one: red for every strategy (the store's own rule).
  cluster.store_value(fmt::format(
      "update vouchers set stock_left = stock_left + 1 where id = {} returning id", voucher));
  for (const auto* strategy : {"lua", "db", "lock"}) {
    EXPECT_EQ(run_check(fmt::format("--sale-strategy {}", strategy), log), 1) << strategy << log;
    EXPECT_NE(log.find(fmt::format("DIFFERENCE voucher {}: store stock_left 1 + 10 orders != "
                                   "stock_total 10",
                                   voucher)),
              std::string::npos)
        << strategy << log;
  }
  cluster.store_value(fmt::format(
      "update vouchers set stock_left = stock_left - 1 where id = {} returning id", voucher));
  EXPECT_EQ(run_check("--sale-strategy db --reminder-strategy lock", log), 0) << log;
  EXPECT_EQ(run_check("", log), 0) << log;
}

// The embedded mode, offline: `seckill check --data DIR` audits a store no `serve` holds. While
// one does, it refuses (exit 2) rather than read a store being written; after, it passes, and a
// planted difference (a voucher's stock_left off by one) goes red.
TEST(Check, EmbeddedStoreIsAuditedOfflineOnly) {
  SeckillCluster cluster(1, {}, Mode::embedded);
  auto client = cluster.client(0);
  auto voucher = create_voucher(client, 10);
  const std::string ticket = fmt::format("CHK-{}", voucher);
  for (std::uint64_t u = 0; u < 6; ++u) {
    ASSERT_EQ(client
                  .request("POST", fmt::format("/api/v1/vouchers/{}/orders", voucher),
                           token_for(910'000 + u))
                  .status,
              201);
    ASSERT_EQ(client
                  .request("POST", fmt::format("/api/v1/tickets/{}/reminders", ticket),
                           token_for(910'000 + u))
                  .status,
              201);
  }
  auto offline = [&](std::string& log) {
    auto cmd = fmt::format("'{}' check --data '{}' >/tmp/seckill-check3.log 2>&1", seckill_binary(),
                           cluster.data_dir());
    int status = std::system(cmd.c_str());
    std::ifstream in("/tmp/seckill-check3.log");
    log.assign(std::istreambuf_iterator<char>(in), {});
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  std::string log;
  EXPECT_EQ(offline(log), 2) << "audited a store a serve holds:\n" << log;
  ASSERT_EQ(cluster.process(0).stop(SIGTERM), 0);
  EXPECT_EQ(offline(log), 0) << log;
  EXPECT_NE(log.find("agree"), std::string::npos) << log;
  auto db = cluster.data_dir() + "/seckill.db";
  auto plant = fmt::format(
      "sqlite3 '{}' 'update vouchers set stock_left = stock_left + 1 where id = {}'", db, voucher);
  ASSERT_EQ(std::system(plant.c_str()), 0);
  EXPECT_EQ(offline(log), 1) << log;
  EXPECT_NE(log.find("DIFFERENCE"), std::string::npos) << log;
}
