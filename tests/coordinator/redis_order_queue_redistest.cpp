// The order streams on a real Redis: what one consumer read and never acknowledged (it died) is
// claimed by another after the idle time, with its delivery count; a dead-lettered entry leaves
// the stream for the dead-letter stream with its reason.
#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "coordinator/redis/redis_order_queue.hpp"
#include "coordinator/redis/redis_stock_gate.hpp"
#include "coordinator/redis/sale_keys.hpp"
#include "support/test_env.hpp"

namespace asio = boost::asio;
using namespace seckill;
using namespace std::chrono_literals;
using coordinator::redis::RedisOrderQueue;
using coordinator::redis::RedisStockGate;
using coordinator::redis::SaleKeys;

namespace {

struct Scenario {
  std::size_t taken = 0;
  std::size_t read_by_first = 0;
  std::size_t claimed_early = 0;
  std::size_t claimed = 0;
  std::uint64_t deliveries = 0;
  std::int64_t left_after_ack = -1;
  std::int64_t dead_entries = -1;
};

asio::awaitable<Scenario> run(redis::Client& client, std::uint64_t voucher_id) {
  Scenario s;
  co_await client.connect();
  RedisStockGate gate(client);
  Voucher v{voucher_id, "t", 10, 10, {}, {}, {}};
  co_await gate.load(v);
  for (std::uint64_t user = 1; user <= 5; ++user) {
    Order o{voucher_id * 100 + user, user, voucher_id, SysTime(1000s), OrderStatus::pending};
    auto r = co_await gate.take(o);
    if (r.outcome == sale::TakeOutcome::taken) ++s.taken;
  }
  {
    // The first consumer reads and dies before acknowledging.
    RedisOrderQueue first(client, "dead-consumer");
    s.read_by_first = (co_await first.read(100, 100ms)).size();
  }
  RedisOrderQueue second(client, "live-consumer");
  s.claimed_early = (co_await second.claim_stale(10s, 100)).size();  // not idle long enough
  asio::steady_timer pause(co_await asio::this_coro::executor, 300ms);
  co_await pause.async_wait(asio::use_awaitable);
  auto claimed = co_await second.claim_stale(200ms, 100);
  s.claimed = claimed.size();
  if (!claimed.empty()) s.deliveries = claimed.front().deliveries;
  // One goes to the dead letters, the rest are stored and acknowledged.
  if (!claimed.empty()) {
    auto bad = claimed.back();
    claimed.pop_back();
    co_await second.dead_letter(bad, "refused by the store");
    co_await second.ack(std::move(claimed));
  }
  SaleKeys keys(voucher_id);
  s.left_after_ack = (co_await client.command({"XLEN", keys.orders})).as_integer();
  s.dead_entries = (co_await client.command({"XLEN", keys.dead})).as_integer();
  client.close();
  co_return s;
}

}  // namespace

TEST(RedisOrderQueue, AbandonedEntriesAreClaimedAndDeadLettersSetAside) {
  asio::io_context io;
  redis::ClientOptions options;
  options.connection.endpoint = redis::parse_redis_url(seckill::testing::redis_url()).value();
  redis::Client client(io, options);
  std::uint64_t voucher = 900'000 + std::random_device{}() % 90'000;
  auto result = asio::co_spawn(io, run(client, voucher), asio::use_future);
  io.run();
  auto s = result.get();
  EXPECT_EQ(s.taken, 5u);
  EXPECT_EQ(s.read_by_first, 5u);
  EXPECT_EQ(s.claimed_early, 0u) << "entries are claimed only once idle long enough";
  EXPECT_EQ(s.claimed, 5u);
  EXPECT_EQ(s.deliveries, 2u) << "read once by the dead consumer, once by the claim";
  EXPECT_EQ(s.left_after_ack, 0) << "acknowledged and dead-lettered entries leave the stream";
  EXPECT_EQ(s.dead_entries, 1);
}
