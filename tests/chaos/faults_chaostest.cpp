// The faults a flash sale meets in production, injected into real `seckill serve` processes
// while a sale and a reminder storm run over several instances: after each, once drained,
// PostgreSQL holds exactly the stock sold, one order per user, every 201, and nothing that was
// refused. docs/reliability.md lists them with their results.
#include <csignal>
#include <cstdio>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "chaos/chaos_traffic.hpp"
#include "chaos/loopback_proxy.hpp"
#include "chaos/private_services.hpp"
#include "support/test_env.hpp"
#include "system/seckill_cluster.hpp"

using namespace seckill::testing;
using namespace std::chrono_literals;

namespace {

constexpr long long kStock = 2000;
// Enough for the writers to claim what a dead or stalled instance left pending (claim idle
// time 5 s) and for PostgreSQL to come back.
constexpr auto kDrain = 45s;

// Pending entries per consumer of a voucher's order stream (XPENDING summary). Throws if
// redis-cli fails: an empty answer must not read as "nothing pending".
std::map<std::string, long long> pending_by_consumer(const std::string& voucher) {
  auto cmd = fmt::format("redis-cli -u '{}' xpending '{{v:{}}}:orders' order-writers 2>/dev/null",
                         redis_url(), voucher);
  std::map<std::string, long long> out;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + cmd);
  std::vector<std::string> lines;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
    std::string line(buffer);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
      line.pop_back();
    lines.push_back(line);
  }
  const int status = pclose(pipe);
  if (status != 0 || lines.empty() || lines.front().starts_with("ERR")) {
    throw std::runtime_error(fmt::format("failed ({}): {}", status, cmd));
  }
  // count, smallest id, greatest id, then consumer name and count alternately.
  for (std::size_t i = 3; i + 1 < lines.size(); i += 2)
    out[lines[i]] = std::atoll(lines[i + 1].c_str());
  return out;
}

// Pending entries of the consumer of process `pid` (consumer names are host-pid-random). The pid
// must be taken while the process runs: ChildProcess::pid() is -1 once it was killed.
long long pending_of(const std::string& voucher, pid_t pid) {
  if (pid <= 0) throw std::invalid_argument("pending_of: no such process");
  long long n = 0;
  for (const auto& [consumer, count] : pending_by_consumer(voucher))
    if (consumer.find(fmt::format("-{}-", pid)) != std::string::npos) n += count;
  return n;
}

// Polls pending_of(voucher, pid) until `done` says so or `timeout`; returns the last count.
template <typename Done>
long long wait_for_pending(const std::string& voucher, pid_t pid, std::chrono::seconds timeout,
                           Done done) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  long long n = pending_of(voucher, pid);
  while (!done(n) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    n = pending_of(voucher, pid);
  }
  return n;
}

// One purchase per instance from users `first_user`.. (not ChaosTraffic's users); the statuses
// and error codes answered.
std::vector<std::string> probe_purchases(const SeckillCluster& cluster, const std::string& voucher,
                                         std::uint64_t first_user) {
  std::vector<std::string> out;
  for (int i = 0; i < cluster.size(); ++i) {
    auto answer =
        cluster.client(i).request("POST", fmt::format("/api/v1/vouchers/{}/orders", voucher),
                                  token_for(first_user + static_cast<std::uint64_t>(i)));
    out.push_back(
        fmt::format("{} {}", answer.status, answer.status == 0 ? "" : answer.error_code()));
  }
  return out;
}

std::string proxied_redis(const LoopbackProxy& p) {
  return fmt::format("redis://127.0.0.1:{}", p.port());
}
std::string proxied_postgres(const LoopbackProxy& p) {
  return fmt::format("postgresql://seckill@127.0.0.1:{}/seckill", p.port());
}

}  // namespace

TEST(Faults, KillNineOfAnInstanceMidSale) {
  SeckillCluster cluster(3);
  auto client = cluster.client(0);
  auto voucher = create_voucher(client, kStock);
  auto tickets = fresh_ticket_prefix("CHAOS-KILL");
  ChaosTraffic traffic(cluster, voucher, tickets);
  ASSERT_TRUE(traffic.wait_for_orders(80, 30s));
  int at_kill = traffic.orders_created();
  cluster.process(2).kill_hard();
  EXPECT_LT(at_kill, kStock) << "the kill came after the sale";
  traffic.finish_when_sold_out(60s);
  expect_sale_kept_its_promises(cluster, traffic, voucher, kStock, kDrain);
  expect_reminders_kept_their_promises(cluster, traffic, tickets, kDrain);
}

TEST(Faults, KillNineOfTheInstanceWhoseConsumerHoldsPendingEntries) {
  PrivateServices services;
  // Instance 2 reaches PostgreSQL through a proxy: frozen, its writer is stuck with what it read.
  LoopbackProxy pg(services.postgres_port());
  SeckillCluster cluster(3);
  cluster.use_backends(2, redis_url(), proxied_postgres(pg));
  cluster.restart_hard(2);
  auto client = cluster.client(0);
  constexpr long long kBigStock = 3000;
  auto voucher = create_voucher(client, kBigStock);
  // Instance 2 caches the voucher while PostgreSQL answers, and learns its stream (1 s refresh).
  ASSERT_EQ(cluster.client(2).request("GET", "/api/v1/vouchers/" + voucher, token_for(2)).status,
            200);
  std::this_thread::sleep_for(1500ms);
  pg.freeze();
  auto tickets = fresh_ticket_prefix("CHAOS-PENDING");
  ChaosTraffic traffic(cluster, voucher, tickets);
  const pid_t killed = cluster.process(2).pid();
  long long held = wait_for_pending(voucher, killed, 10s, [](long long n) { return n > 0; });
  ASSERT_GT(held, 0) << "instance 2 never held pending entries";
  cluster.process(2).kill_hard();
  pg.thaw();  // what it had sent reaches PostgreSQL, then the connection closes
  EXPECT_LT(traffic.orders_created(), kBigStock) << "the kill came after the sale";
  // The others claim what the dead consumer held (claim idle time 5 s).
  EXPECT_EQ(wait_for_pending(voucher, killed, kDrain, [](long long n) { return n == 0; }), 0)
      << "the entries the killed instance held were never claimed";
  traffic.finish_when_sold_out(90s);
  expect_sale_kept_its_promises(cluster, traffic, voucher, kBigStock, kDrain);
  expect_reminders_kept_their_promises(cluster, traffic, tickets, kDrain);
  EXPECT_EQ(pending_of(voucher, killed), 0) << "its entries were claimed";
  RecordProperty("pending_entries_at_kill", static_cast<int>(held));
}

TEST(Faults, RedisKillNineAndRestartFromItsAppendOnlyFile) {
  PrivateServices services("always");
  SeckillCluster cluster(3);
  auto client = cluster.client(0);
  auto voucher = create_voucher(client, kStock);
  auto tickets = fresh_ticket_prefix("CHAOS-REDIS");
  ChaosTraffic traffic(cluster, voucher, tickets);
  ASSERT_TRUE(traffic.wait_for_orders(80, 30s));
  int at_kill = traffic.orders_created();
  services.kill_redis();
  // Requests meanwhile are refused: 503, nothing taken (checked in the store below).
  constexpr std::uint64_t kProbeUser = 9'000'000;
  for (const auto& answer : probe_purchases(cluster, voucher, kProbeUser))
    EXPECT_EQ(answer, "503 unavailable") << "a purchase while Redis is down";
  std::this_thread::sleep_for(1s);  // the outage lasts
  services.start_redis();
  EXPECT_LT(at_kill, kStock) << "the kill came after the sale";
  traffic.finish_when_sold_out(60s);
  expect_sale_kept_its_promises(cluster, traffic, voucher, kStock, kDrain);
  expect_reminders_kept_their_promises(cluster, traffic, tickets, kDrain);
  EXPECT_EQ(cluster.store_value(
                fmt::format("select count(*) from orders where voucher_id = {} and user_id >= {}",
                            voucher, kProbeUser)),
            "0")
      << "a purchase refused while Redis was down was stored";
}

TEST(Faults, PostgresFastShutdownAndRestartMidSale) {
  PrivateServices services;
  SeckillCluster cluster(3);
  auto client = cluster.client(0);
  auto voucher = create_voucher(client, kStock);
  auto tickets = fresh_ticket_prefix("CHAOS-PG");
  ChaosTraffic traffic(cluster, voucher, tickets);
  ASSERT_TRUE(traffic.wait_for_orders(80, 30s));
  int at_stop = traffic.orders_created();
  services.stop_postgres();
  // Orders are still taken while PostgreSQL is down: Redis holds them.
  const int while_down = traffic.orders_created();
  EXPECT_TRUE(traffic.wait_for_orders(while_down + 100, 30s))
      << "no orders taken while PostgreSQL was down (" << traffic.orders_created() - while_down
      << ")";
  EXPECT_THROW(cluster.store_value("select 1"), std::runtime_error) << "PostgreSQL was up";
  services.start_postgres();
  EXPECT_LT(at_stop, kStock) << "the shutdown came after the sale";
  traffic.finish_when_sold_out(60s);
  expect_sale_kept_its_promises(cluster, traffic, voucher, kStock, kDrain);
  expect_reminders_kept_their_promises(cluster, traffic, tickets, kDrain);
}

TEST(Faults, NetworkStallBetweenAnInstanceAndRedis) {
  PrivateServices services;
  LoopbackProxy redis(services.redis_port());
  SeckillCluster cluster(3);
  cluster.use_backends(2, proxied_redis(redis), postgres_url());
  cluster.restart_hard(2);
  auto client = cluster.client(0);
  auto voucher = create_voucher(client, kStock);
  auto tickets = fresh_ticket_prefix("CHAOS-RSTALL");
  ChaosTraffic traffic(cluster, voucher, tickets);
  ASSERT_TRUE(traffic.wait_for_orders(60, 30s));
  // Longer than the Redis request timeout (1 s): instance 2 gives up on its connections.
  int at_stall = traffic.orders_created();
  redis.freeze();
  std::this_thread::sleep_for(3s);
  redis.thaw();
  std::this_thread::sleep_for(500ms);
  // Then the connections are cut outright: it reconnects.
  redis.cut();
  EXPECT_LT(at_stall, kStock) << "the stall came after the sale";
  traffic.finish_when_sold_out(60s);
  expect_sale_kept_its_promises(cluster, traffic, voucher, kStock, kDrain);
  expect_reminders_kept_their_promises(cluster, traffic, tickets, kDrain);
}

TEST(Faults, NetworkStallBetweenAnInstanceAndPostgres) {
  PrivateServices services;
  LoopbackProxy pg(services.postgres_port());
  SeckillCluster cluster(3);
  cluster.use_backends(2, redis_url(), proxied_postgres(pg));
  cluster.restart_hard(2);
  auto client = cluster.client(0);
  auto voucher = create_voucher(client, kStock);
  auto tickets = fresh_ticket_prefix("CHAOS-PSTALL");
  ChaosTraffic traffic(cluster, voucher, tickets);
  ASSERT_TRUE(traffic.wait_for_orders(40, 30s));
  // Longer than the claim idle time (5 s): the others take over what instance 2 holds, and
  // instance 2's late commit must not count anything twice.
  const pid_t stalled = cluster.process(2).pid();
  pg.freeze();
  const long long held = wait_for_pending(voucher, stalled, 15s, [](long long n) { return n > 0; });
  EXPECT_GT(held, 0) << "instance 2 never held pending entries while stalled";
  EXPECT_EQ(wait_for_pending(voucher, stalled, 30s, [](long long n) { return n == 0; }), 0)
      << "the others never claimed what the stalled instance held";
  pg.thaw();
  std::this_thread::sleep_for(1s);
  pg.cut();
  traffic.finish_when_sold_out(60s);
  expect_sale_kept_its_promises(cluster, traffic, voucher, kStock, kDrain);
  expect_reminders_kept_their_promises(cluster, traffic, tickets, kDrain);
  RecordProperty("pending_entries_while_stalled", static_cast<int>(held));
}

TEST(Faults, SigtermDuringLoadFinishesWhatIsInFlight) {
  SeckillCluster cluster(3);
  auto client = cluster.client(0);
  // More stock than the others: the load must still run while the instance shuts down.
  constexpr long long kBigStock = 3000;
  auto voucher = create_voucher(client, kBigStock);
  auto tickets = fresh_ticket_prefix("CHAOS-TERM");
  ChaosTraffic traffic(cluster, voucher, tickets);
  ASSERT_TRUE(traffic.wait_for_orders(80, 30s));
  int at_signal = traffic.orders_created();
  // Exit status 0: it ended by itself within the grace (after it, SIGKILL: not WIFEXITED).
  int status = cluster.process(2).stop(SIGTERM, 15s);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "exit status " << status << " (killed after the grace period?)";
  EXPECT_LT(at_signal, kBigStock) << "the signal came after the sale";
  EXPECT_LT(traffic.orders_created(), kBigStock) << "the sale went on after the signal";
  traffic.finish_when_sold_out(60s);
  expect_sale_kept_its_promises(cluster, traffic, voucher, kBigStock, kDrain);
  expect_reminders_kept_their_promises(cluster, traffic, tickets, kDrain);
}
