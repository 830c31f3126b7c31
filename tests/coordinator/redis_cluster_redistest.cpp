// The coordinator on the test run's Redis Cluster (scripts/with-services starts one: 3 masters,
// 3 replicas): every Lua script of the product runs there with keys spread over several masters,
// scripts are loaded per node, redirections (ASK, MOVED) are followed, calls from a thread of no
// io_context of the client work, and WAIT makes a write (a taken order, an id block) visible on the
// replica at once.
#include <future>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "coordinator/redis/redis_id_counter.hpp"
#include "coordinator/redis/redis_order_queue.hpp"
#include "coordinator/redis/redis_reminder_gate.hpp"
#include "coordinator/redis/redis_reminder_queue.hpp"
#include "coordinator/redis/redis_stock_gate.hpp"
#include "coordinator/redis/remind_keys.hpp"
#include "coordinator/redis/sale_keys.hpp"
#include "core/infra_error.hpp"
#include "id/counter_sequence_source.hpp"
#include "redis/client.hpp"
#include "redis/key_slot.hpp"
#include "support/test_env.hpp"

namespace asio = boost::asio;
using namespace seckill;
using namespace std::chrono_literals;
using coordinator::redis::RedisOrderQueue;
using coordinator::redis::RedisReminderGate;
using coordinator::redis::RedisReminderQueue;
using coordinator::redis::RedisStockGate;
using coordinator::redis::SaleKeys;
using redis::Reply;

namespace {

redis::ClientOptions cluster_options() {
  auto seeds = redis::parse_redis_urls(seckill::testing::redis_cluster_urls());
  if (!seeds) throw std::runtime_error(seeds.error());
  redis::ClientOptions options;
  options.connection.endpoint = seeds->front();
  options.connection.request_timeout = 5s;
  options.cluster_seeds = *seeds;
  return options;
}

std::uint64_t random_base() {
  std::random_device rd;
  return 1'000'000 + (static_cast<std::uint64_t>(rd()) % 1'000'000) * 100;
}

// Runs `body` on a fresh io_context with a time bound; returns its result.
template <typename T>
T run(asio::io_context& io, asio::awaitable<T> body) {
  auto result = asio::co_spawn(io, std::move(body), asio::use_future);
  io.run_for(60s);
  EXPECT_EQ(result.wait_for(0s), std::future_status::ready) << "did not finish in 60 s";
  return result.get();
}

// `argv` references bytes that live until the co_await expression ends: await at once.
asio::awaitable<Reply> on_node(redis::RedisUrl node, redis::CommandArgs argv) {
  redis::ConnectionOptions o;
  o.endpoint = node;
  redis::Connection c(co_await asio::this_coro::executor, o);
  co_await c.connect();
  Reply r = co_await c.command(argv);
  c.close();
  co_return r;
}

struct ScriptsOutcome {
  int taken = 0, sold_out = 0, already = 0, unknown = 0;
  std::size_t masters_used = 0;
  std::size_t orders_read = 0;
  int opened = 0, joined = 0, already_reminded = 0;
  std::size_t reminders_read = 0;
};

asio::awaitable<ScriptsOutcome> every_script(redis::Client& client, std::uint64_t base) {
  ScriptsOutcome out;
  co_await client.connect();
  auto map = client.slot_map();
  if (!map) throw std::runtime_error("no slot map after connect");
  RedisStockGate gate(client);
  std::set<std::uint16_t> masters;
  // Six vouchers: their {v:ID} tags land on several masters.
  for (std::uint64_t v = base; v < base + 6; ++v) {
    masters.insert(map->owner_of(redis::key_slot(SaleKeys(v).stock)));
    Voucher voucher{v, "t", 3, 3, {}, {}, {}};
    co_await gate.load(voucher);
    for (std::uint64_t user = 1; user <= 4; ++user) {
      Order o{v * 10 + user, user, v, SysTime(1000s), OrderStatus::pending};
      auto r = co_await gate.take(o);
      if (r.outcome == sale::TakeOutcome::taken) ++out.taken;
      if (r.outcome == sale::TakeOutcome::sold_out) ++out.sold_out;
    }
    Order again{v * 10 + 9, 1, v, SysTime(1000s), OrderStatus::pending};
    if ((co_await gate.take(again)).outcome == sale::TakeOutcome::already_ordered) ++out.already;
  }
  Order stray{base * 10, 1, base + 50, SysTime(1000s), OrderStatus::pending};
  if ((co_await gate.take(stray)).outcome == sale::TakeOutcome::unknown_voucher) ++out.unknown;
  out.masters_used = masters.size();

  // The writers' side: every taken order is read back from its voucher's stream.
  RedisOrderQueue queue(client, "cluster-test-" + std::to_string(base));
  for (int round = 0; round < 40 && out.orders_read < static_cast<std::size_t>(out.taken);
       ++round) {
    auto batch = co_await queue.read(1000, 100ms);
    for (const auto& q : batch) {
      if (q.item.voucher_id >= base && q.item.voucher_id < base + 6) ++out.orders_read;
    }
    co_await queue.ack(std::move(batch));
  }

  RedisReminderGate reminders(client, remind::ReminderWindows{60s, 60s});
  RedisReminderQueue reminder_queue(client, "cluster-test-" + std::to_string(base));
  (void)co_await reminder_queue.read(1000, 10ms);  // creates the groups on every partition
  for (int t = 0; t < 8; ++t) {
    auto ticket = fmt::format("T{}-{}", base, t);
    for (std::uint64_t user = 1; user <= 2; ++user) {
      auto d = co_await reminders.remind(ticket, user, base * 100 + static_cast<std::uint64_t>(t));
      if (d.outcome == remind::RemindOutcome::opened) ++out.opened;
      if (d.outcome == remind::RemindOutcome::joined) ++out.joined;
    }
    auto d = co_await reminders.remind(ticket, 1, 1);
    if (d.outcome == remind::RemindOutcome::already_reminded) ++out.already_reminded;
  }
  const std::string prefix = fmt::format("T{}-", base);
  for (int round = 0; round < 40 && out.reminders_read < 16; ++round) {
    auto batch = co_await reminder_queue.read(1000, 100ms);
    for (const auto& q : batch) {
      if (q.item.ticket.starts_with(prefix)) ++out.reminders_read;
    }
    co_await reminder_queue.ack(std::move(batch));
  }
  // The reminders were never stored: their coordinator state goes, or a later test's `seckill
  // check` on this cluster would report records the store does not have.
  for (int t = 0; t < 8; ++t) {
    auto ticket = fmt::format("T{}-{}", base, t);
    for (std::uint64_t user = 1; user <= 2; ++user) {
      coordinator::redis::RemindKeys keys(ticket, user);
      (void)(co_await client.command({"DEL", keys.user})).value();
      if (user == 1) (void)(co_await client.command({"DEL", keys.open})).value();
    }
  }
  client.close();
  co_return out;
}

TEST(RedisCluster, EveryScriptOfTheProductRunsOnTheCluster) {
  asio::io_context io;
  redis::Client client(io, cluster_options());
  ASSERT_TRUE(client.cluster());
  auto s = run(io, every_script(client, random_base()));
  EXPECT_GE(s.masters_used, 2u) << "the vouchers should spread over several masters";
  EXPECT_EQ(s.taken, 6 * 3);
  EXPECT_EQ(s.sold_out, 6 * 1);
  EXPECT_EQ(s.already, 6);
  EXPECT_EQ(s.unknown, 1);
  EXPECT_EQ(s.orders_read, 18u);
  EXPECT_EQ(s.opened, 8);
  EXPECT_EQ(s.joined, 8);
  EXPECT_EQ(s.already_reminded, 8);
  EXPECT_EQ(s.reminders_read, 16u);
}

asio::awaitable<int> after_script_flush(redis::Client& client, std::uint64_t base) {
  co_await client.connect();
  auto map = client.slot_map();
  RedisStockGate gate(client);
  int taken = 0;
  for (int round = 0; round < 2; ++round) {
    // Every node forgets its scripts: each EVALSHA meets NOSCRIPT and loads on its own node.
    for (const auto& m : map->masters)
      (co_await on_node(m, {"SCRIPT", "FLUSH"})).value();
    for (std::uint64_t v = base; v < base + 6; ++v) {
      Voucher voucher{v, "t", 5, 5, {}, {}, {}};
      co_await gate.load(voucher);
      Order o{v * 10 + 1 + static_cast<std::uint64_t>(round), 1 + static_cast<std::uint64_t>(round),
              v, SysTime(1000s), OrderStatus::pending};
      if ((co_await gate.take(o)).outcome == sale::TakeOutcome::taken) ++taken;
    }
  }
  client.close();
  co_return taken;
}

TEST(RedisCluster, ScriptsAreLoadedOnEachNodeThatLacksThem) {
  asio::io_context io;
  redis::Client client(io, cluster_options());
  EXPECT_EQ(run(io, after_script_flush(client, random_base())), 12);
}

struct Redirected {
  Reply before, asked_set, asked_get, moved_get;
};

std::string node_id(const Reply& r) {
  return std::string(r.as_string());
}

asio::awaitable<Redirected> redirections(redis::Client& client) {
  co_await client.connect();
  auto map = client.slot_map();
  // A key whose slot holds nothing yet, so migrating it moves no one else's data.
  std::string key;
  std::uint16_t slot = 0;
  std::random_device rd;
  for (;;) {
    key = "redirect-test:" + std::to_string(rd());
    slot = redis::key_slot(key);
    auto owner = map->masters[map->owner_of(slot)];
    Reply n = co_await on_node(owner, {"CLUSTER", "COUNTKEYSINSLOT", std::to_string(slot)});
    if (n.as_integer() == 0) break;
  }
  const auto source = map->masters[map->owner_of(slot)];
  const auto target = map->masters[(map->owner_of(slot) + 1) % map->masters.size()];
  auto source_id = node_id(co_await on_node(source, {"CLUSTER", "MYID"}));
  auto target_id = node_id(co_await on_node(target, {"CLUSTER", "MYID"}));
  auto s = std::to_string(slot);
  Redirected out;
  out.before = co_await client.command({"GET", key});
  (co_await on_node(target, {"CLUSTER", "SETSLOT", s, "IMPORTING", source_id})).value();
  (co_await on_node(source, {"CLUSTER", "SETSLOT", s, "MIGRATING", target_id})).value();
  // The key is not on the source: it answers ASK, and the client asks the target.
  out.asked_set = co_await client.command({"SET", key, "v"});
  out.asked_get = co_await client.command({"GET", key});
  // The slot is the target's now: the source answers MOVED.
  for (const auto& m : map->masters)
    (co_await on_node(m, {"CLUSTER", "SETSLOT", s, "NODE", target_id})).value();
  out.moved_get = co_await client.command({"GET", key});
  co_await client.command({"DEL", key});
  client.close();
  co_return out;
}

TEST(RedisCluster, FollowsAskAndMovedRedirections) {
  asio::io_context io;
  redis::Client client(io, cluster_options());
  auto r = run(io, redirections(client));
  EXPECT_TRUE(r.before.is_nil()) << r.before.to_debug_string();
  EXPECT_EQ(r.asked_set, Reply::status("OK")) << r.asked_set.to_debug_string();
  EXPECT_EQ(r.asked_get, Reply::string("v")) << r.asked_get.to_debug_string();
  EXPECT_EQ(r.moved_get, Reply::string("v")) << r.moved_get.to_debug_string();
}

asio::awaitable<void> connect_only(redis::Client& client) {
  co_await client.connect();
}

asio::awaitable<std::int64_t> incr_many(redis::Client& client, std::string prefix) {
  std::int64_t sum = 0;
  for (int i = 0; i < 50; ++i) {
    auto key = prefix + std::to_string(i);
    sum += (co_await client.command({"INCR", key})).as_integer();
    (co_await client.command({"DEL", key})).value();
  }
  co_return sum;
}

// Two io_contexts on two threads, called from a third that runs neither (the co_spawn hop).
TEST(RedisCluster, CallsFromAnyThread) {
  asio::io_context a, b;
  std::array<asio::io_context*, 2> contexts{&a, &b};
  redis::Client client(contexts, cluster_options());
  auto guard_a = asio::make_work_guard(a);
  auto guard_b = asio::make_work_guard(b);
  std::thread ta([&] { a.run(); });
  std::thread tb([&] { b.run(); });
  asio::io_context caller;
  asio::co_spawn(caller, connect_only(client), asio::use_future);
  caller.run_for(10s);
  caller.restart();
  auto sum = run(caller, incr_many(client, "any-thread:" + std::to_string(random_base()) + ":"));
  client.close();
  guard_a.reset();
  guard_b.reset();
  a.stop();
  b.stop();
  ta.join();
  tb.join();
  EXPECT_EQ(sum, 50);
}

// `command` run on the replica of the master serving `key` (READONLY: a replica answers reads
// of its master's slots); nullopt when that master has no replica.
asio::awaitable<std::optional<Reply>> on_replica_of(redis::Client& client, std::string key,
                                                    std::vector<std::string> command) {
  auto map = client.slot_map();
  auto master = map->masters[map->owner_of(redis::key_slot(key))];
  Reply replication = co_await on_node(master, {"ROLE"});
  auto replicas = replication.elements()[2].elements();
  if (replicas.empty()) co_return std::nullopt;
  redis::RedisUrl replica{
      std::string(replicas[0].elements()[0].as_string()),
      static_cast<std::uint16_t>(std::stoi(std::string(replicas[0].elements()[1].as_string()))), 0};
  redis::ConnectionOptions ro;
  ro.endpoint = replica;
  redis::Connection c(co_await asio::this_coro::executor, ro);
  co_await c.connect();
  (co_await c.command({"READONLY"})).value();
  std::vector<std::string_view> argv(command.begin(), command.end());
  Reply reply = co_await c.command(redis::CommandArgs(argv));
  c.close();
  co_return reply;
}

asio::awaitable<std::string> acked_write_on_replica(redis::Client& client, std::uint64_t base) {
  co_await client.connect();
  RedisStockGate gate(client, redis::AckReplicas{1, 2000ms});
  Voucher voucher{base, "t", 5, 5, {}, {}, {}};
  co_await gate.load(voucher);
  Order o{base * 10 + 1, 7, base, SysTime(1000s), OrderStatus::pending};
  auto r = co_await gate.take(o);
  if (r.outcome != sale::TakeOutcome::taken) {
    client.close();
    co_return "not taken";
  }
  // Straight after the 201-worthy answer, the replica of that master holds the order.
  SaleKeys keys(base);
  std::vector<std::string> hget{"HGET", keys.buyers, "7"};
  auto held = co_await on_replica_of(client, keys.buyers, std::move(hget));
  client.close();
  if (!held) co_return "no replica";
  co_return held->is_nil() ? std::string("nil") : std::string(held->as_string());
}

TEST(RedisCluster, AcknowledgedTakeIsOnTheReplicaAtOnce) {
  asio::io_context io;
  redis::Client client(io, cluster_options());
  auto base = random_base();
  EXPECT_EQ(run(io, acked_write_on_replica(client, base)), std::to_string(base * 10 + 1));
}

struct IdBlocks {
  std::uint64_t first_end = 0;      // the first block, acknowledged by the one replica
  std::string on_replica;           // the counter on the replica straight after it
  std::string refused;              // what asking for two replicas (there is one) threw
  std::uint64_t after_refused = 0;  // the next acknowledged block
};

asio::awaitable<IdBlocks> acked_id_blocks(redis::Client& client, std::string name) {
  co_await client.connect();
  IdBlocks out;
  id::CounterSequenceSource acked(
      name, coordinator::redis::redis_incr_by(client, redis::AckReplicas{1, 2000ms}));
  id::CounterSequenceSource too_many(
      name, coordinator::redis::redis_incr_by(client, redis::AckReplicas{2, 100ms}));
  const std::string day = "20261122";
  out.first_end = co_await acked.reserve(day, 100);
  std::vector<std::string> get{"GET", acked.key(day)};
  auto on_replica = co_await on_replica_of(client, acked.key(day), std::move(get));
  out.on_replica = !on_replica ? "no replica" : std::string(on_replica->as_string());
  try {
    co_await too_many.reserve(day, 100);
    out.refused = "not refused";
  } catch (const IoError& e) {
    out.refused = e.what();
  }
  out.after_refused = co_await acked.reserve(day, 100);
  client.close();
  co_return out;
}

// --redis-ack-replicas also covers the id counter: an acknowledged block is on the replica at
// once; a block fewer replicas acknowledged is refused (its numbers are lost, the next block
// comes after it), so a failover cannot hand it out a second time.
TEST(RedisCluster, IdBlocksAreAcknowledgedOrRefused) {
  asio::io_context io;
  redis::Client client(io, cluster_options());
  auto name = fmt::format("acktest{}", random_base());
  auto blocks = run(io, acked_id_blocks(client, name));
  EXPECT_EQ(blocks.first_end, 100u);
  EXPECT_EQ(blocks.on_replica, "100");
  EXPECT_NE(blocks.refused.find("1 of 2 replicas acknowledged INCRBY"), std::string::npos)
      << blocks.refused;
  EXPECT_EQ(blocks.after_refused, 300u) << "the refused block 101..200 is never handed out";
}

}  // namespace
