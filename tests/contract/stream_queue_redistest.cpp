// The durable queue's contract (delivery/durable_queue.hpp) on a real Redis, for both of its
// stream queues: the order streams and the reminder partitions. Read, acknowledge, claim what a
// dead consumer left, dead-letter with the reason, set a malformed entry aside, and recover when
// Redis lost the consumer group (NOGROUP, e.g. after it lost its data).
#include <map>
#include <random>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "coordinator/redis/redis_order_queue.hpp"
#include "coordinator/redis/redis_reminder_queue.hpp"
#include "coordinator/redis/redis_stock_gate.hpp"
#include "coordinator/redis/remind_keys.hpp"
#include "coordinator/redis/sale_keys.hpp"
#include "support/test_env.hpp"

namespace asio = boost::asio;
using namespace seckill;
using namespace std::chrono_literals;
using seckill::redis::Reply;

// ASSERT_EQ for a coroutine (gtest's returns void): fails and ends the scenario.
#define CO_ASSERT_EQ(a, b)                                     \
  if ((a) != (b)) {                                            \
    ADD_FAILURE() << #a " is " << (a) << ", expected " << (b); \
    client.close();                                            \
    co_return;                                                 \
  }

namespace {

std::uint64_t random_id() {
  static std::mt19937_64 gen{std::random_device{}()};
  return 700'000'000 + gen() % 100'000'000;
}

// What a queue under test needs besides itself: a stream of its own to write entries into, the
// fields of a well-formed entry, and the identity an item carries (other tests share the Redis
// and its streams: only this test's entries are counted).
struct OrderStreams {
  using Queue = coordinator::redis::RedisOrderQueue;
  using Entry = sale::QueuedOrder;
  static constexpr const char* kGroup = coordinator::redis::kWriterGroup;

  static asio::awaitable<std::string> stream(seckill::redis::Client& client) {
    coordinator::redis::RedisStockGate gate(client);
    Voucher v{random_id(), "contract", 10, 10, {}, {}, {}};
    co_await gate.load(v);
    co_return coordinator::redis::SaleKeys(v.id).orders;
  }
  static std::vector<std::string> fields(std::uint64_t id) {
    return {"o", std::to_string(id), "u", "7", "v", "1", "t", "1000"};
  }
  static std::uint64_t id_of(const Order& o) { return o.id; }
};

struct ReminderStreams {
  using Queue = coordinator::redis::RedisReminderQueue;
  using Entry = remind::QueuedReminder;
  static constexpr const char* kGroup = coordinator::redis::kReminderWriterGroup;

  static asio::awaitable<std::string> stream(seckill::redis::Client&) {
    co_return coordinator::redis::reminder_stream(
        static_cast<std::uint32_t>(random_id() % coordinator::redis::kReminderPartitions));
  }
  static std::vector<std::string> fields(std::uint64_t id) {
    return {"r", std::to_string(id), "k", fmt::format("T{}", id), "u", "7", "t", "1000", "n", "1"};
  }
  static std::uint64_t id_of(const ReminderEvent& e) { return e.reminder_id; }
};

template <class Streams>
class StreamQueue : public ::testing::Test {
 protected:
  void run(asio::awaitable<void> scenario) {
    auto done = asio::co_spawn(io_, std::move(scenario), asio::use_future);
    io_.run();
    done.get();
  }

  asio::io_context io_;
  seckill::redis::Client client_{
      io_, [] {
        seckill::redis::ClientOptions options;
        options.connection.endpoint =
            seckill::redis::parse_redis_url(seckill::testing::redis_url()).value();
        return options;
      }()};
};

asio::awaitable<std::string> add(seckill::redis::Client& client, std::string stream,
                                 std::vector<std::string> fields) {
  std::vector<std::string_view> args{"XADD", stream, "*"};
  for (const auto& f : fields)
    args.push_back(f);
  Reply id = co_await client.command(args);
  co_return std::string(id.value().as_string());
}

// This test's entries among `batch` (others share the streams); the rest is left pending.
template <class Streams, class Item>
std::vector<delivery::Queued<Item>> mine(const std::vector<delivery::Queued<Item>>& batch,
                                         const std::set<std::uint64_t>& ids) {
  std::vector<delivery::Queued<Item>> out;
  for (const auto& q : batch) {
    if (ids.contains(Streams::id_of(q.item))) out.push_back(q);
  }
  return out;
}

template <class Streams>
asio::awaitable<std::vector<typename Streams::Entry>> read_mine(typename Streams::Queue& queue,
                                                                std::set<std::uint64_t> ids,
                                                                std::size_t want) {
  std::vector<typename Streams::Entry> out;
  for (int round = 0; round < 60 && out.size() < want; ++round) {
    auto batch = co_await queue.read(1000, 50ms);
    for (auto& q : mine<Streams>(batch, ids))
      out.push_back(std::move(q));
  }
  co_return out;
}

asio::awaitable<std::int64_t> length(seckill::redis::Client& client, std::string stream) {
  co_return (co_await client.command({"XLEN", stream})).value().as_integer();
}

using Implementations = ::testing::Types<OrderStreams, ReminderStreams>;
TYPED_TEST_SUITE(StreamQueue, Implementations);

// The dead letter a scenario made, deleted once checked: the streams are the real ones (the
// reminder partitions are fixed), and a letter left there would make `seckill check` of a later
// test in the same run report it.
asio::awaitable<void> remove_dead_letter(seckill::redis::Client& client, const std::string& stream,
                                         const Reply& newest) {
  if (newest.elements().empty()) co_return;
  std::string id(newest.elements()[0].elements()[0].as_string());
  (void)(co_await client.command({"XDEL", stream + ":dead", id})).value();
}

template <class Streams>
asio::awaitable<void> read_ack_claim_dead_letter(seckill::redis::Client& client) {
  co_await client.connect();
  typename Streams::Queue first(client, "contract-first-" + std::to_string(random_id()));
  typename Streams::Queue second(client, "contract-second-" + std::to_string(random_id()));
  (void)co_await first.read(1000, 10ms);  // the groups exist from here on
  auto stream = co_await Streams::stream(client);
  const auto before = co_await length(client, stream);
  std::set<std::uint64_t> ids;
  for (int i = 0; i < 3; ++i) {
    auto id = random_id();
    ids.insert(id);
    (void)co_await add(client, stream, Streams::fields(id));
  }
  auto read = co_await read_mine<Streams>(first, ids, 3);
  EXPECT_EQ(read.size(), 3u);
  for (const auto& q : read) {
    EXPECT_EQ(q.stream, stream);
    EXPECT_EQ(q.deliveries, 1u);
  }
  // `first` dies without acknowledging: `second` claims its entries once idle long enough.
  EXPECT_TRUE(mine<Streams>(co_await second.claim_stale(10s, 1000), ids).empty());
  asio::steady_timer pause(co_await asio::this_coro::executor, 300ms);
  co_await pause.async_wait(asio::use_awaitable);
  auto claimed = mine<Streams>(co_await second.claim_stale(200ms, 1000), ids);
  CO_ASSERT_EQ(claimed.size(), 3u);
  EXPECT_EQ(claimed.front().deliveries, 2u);
  auto refused = claimed.back();
  claimed.pop_back();
  co_await second.dead_letter(refused, "refused by the store");
  co_await second.ack(std::move(claimed));
  EXPECT_EQ(co_await length(client, stream), before) << "acked and dead-lettered entries leave";
  Reply dead = co_await client.command({"XREVRANGE", stream + ":dead", "+", "-", "COUNT", "1"});
  CO_ASSERT_EQ(dead.value().elements().size(), 1u);
  auto fields = dead.elements()[0].elements()[1].elements();
  std::map<std::string, std::string> recorded;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2)
    recorded[std::string(fields[i].as_string())] = std::string(fields[i + 1].as_string());
  EXPECT_EQ(recorded["reason"], "refused by the store");
  EXPECT_EQ(recorded["source"], refused.entry_id);
  EXPECT_EQ(recorded[Streams::fields(0)[0]], std::to_string(Streams::id_of(refused.item)))
      << "a dead letter records the item";
  co_await remove_dead_letter(client, stream, dead);
  client.close();
}

template <class Streams>
asio::awaitable<void> malformed_entry(seckill::redis::Client& client) {
  co_await client.connect();
  typename Streams::Queue queue(client, "contract-" + std::to_string(random_id()));
  (void)co_await queue.read(1000, 10ms);
  auto stream = co_await Streams::stream(client);
  const auto before = co_await length(client, stream);
  const auto dead_before = co_await length(client, stream + ":dead");
  auto bad_fields = Streams::fields(random_id());
  bad_fields[1] = "not-a-number";
  auto bad = co_await add(client, stream, bad_fields);
  const auto good = random_id();
  (void)co_await add(client, stream, Streams::fields(good));
  std::set<std::uint64_t> ids{good};
  auto read = co_await read_mine<Streams>(queue, std::move(ids), 1);
  EXPECT_EQ(read.size(), 1u) << "a malformed entry does not stop the others";
  co_await queue.ack(std::move(read));
  EXPECT_EQ(co_await length(client, stream), before) << "the malformed entry left the stream";
  EXPECT_EQ(co_await length(client, stream + ":dead"), dead_before + 1);
  Reply dead = co_await client.command({"XREVRANGE", stream + ":dead", "+", "-", "COUNT", "1"});
  CO_ASSERT_EQ(dead.value().elements().size(), 1u);
  auto fields = dead.elements()[0].elements()[1].elements();
  CO_ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[1].as_string(), "malformed entry");
  EXPECT_EQ(fields[3].as_string(), bad);
  co_await remove_dead_letter(client, stream, dead);
  client.close();
}

template <class Streams>
asio::awaitable<void> lost_group(seckill::redis::Client& client) {
  co_await client.connect();
  typename Streams::Queue queue(client, "contract-" + std::to_string(random_id()));
  (void)co_await queue.read(1000, 10ms);
  auto stream = co_await Streams::stream(client);
  // Redis lost the group (as after losing its data, or a restore from an older snapshot).
  Reply destroyed = co_await client.command({"XGROUP", "DESTROY", stream, Streams::kGroup});
  (void)destroyed.value();
  const auto id = random_id();
  (void)co_await add(client, stream, Streams::fields(id));
  std::vector<typename Streams::Entry> read;
  try {
    std::set<std::uint64_t> ids{id};
    read = co_await read_mine<Streams>(queue, std::move(ids), 1);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "the queue recreates a lost group itself, but: " << e.what();
  }
  EXPECT_EQ(read.size(), 1u);
  co_await queue.ack(std::move(read));
  client.close();
}

}  // namespace

TYPED_TEST(StreamQueue, ReadsAcksClaimsStaleAndDeadLetters) {
  this->run(read_ack_claim_dead_letter<TypeParam>(this->client_));
}

TYPED_TEST(StreamQueue, SetsAMalformedEntryAside) {
  this->run(malformed_entry<TypeParam>(this->client_));
}

TYPED_TEST(StreamQueue, RecoversALostGroup) {
  this->run(lost_group<TypeParam>(this->client_));
}
