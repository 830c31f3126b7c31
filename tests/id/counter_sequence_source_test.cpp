#include "id/counter_sequence_source.hpp"

#include <algorithm>
#include <map>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "core/infra_error.hpp"

namespace seckill::id {
namespace {

namespace asio = boost::asio;

struct Calls {
  std::map<std::string, long long> counters;
  std::vector<std::string> keys;
  long long forced_answer = -1;  // if >= 0, INCRBY answers this
  bool fail = false;
};

asio::awaitable<long long> fake_incrby(std::shared_ptr<Calls> calls, std::string key,
                                       long long by) {
  if (calls->fail) throw IoError("connection refused");
  calls->keys.push_back(key);
  if (calls->forced_answer >= 0) co_return calls->forced_answer;
  co_return calls->counters[key] += by;
}

IncrBy incr_by(std::shared_ptr<Calls> calls) {
  return [calls](std::string key, long long by) { return fake_incrby(calls, std::move(key), by); };
}

std::uint64_t run(asio::io_context& io, asio::awaitable<std::uint64_t> a) {
  auto f = asio::co_spawn(io, std::move(a), asio::use_future);
  io.restart();
  io.run();
  return f.get();
}

TEST(CounterSequenceSource, ReservesBlocksWithIncrByOnTheDayKey) {
  asio::io_context io;
  auto calls = std::make_shared<Calls>();
  CounterSequenceSource source("order", incr_by(calls));
  EXPECT_EQ(source.key("20250301"), "id:order:20250301");
  EXPECT_EQ(run(io, source.reserve("20250301", 100)), 100U);
  EXPECT_EQ(run(io, source.reserve("20250301", 50)), 150U);
  EXPECT_EQ(run(io, source.reserve("20250302", 10)), 10U);
  EXPECT_EQ(calls->keys, (std::vector<std::string>{"id:order:20250301", "id:order:20250301",
                                                   "id:order:20250302"}));
}

TEST(CounterSequenceSource, PassesFailuresOn) {
  asio::io_context io;
  auto calls = std::make_shared<Calls>();
  calls->fail = true;
  CounterSequenceSource source("order", incr_by(calls));
  EXPECT_THROW(run(io, source.reserve("20250301", 100)), IoError);
}

TEST(CounterSequenceSource, RefusesACounterBelowTheBlock) {
  asio::io_context io;
  auto calls = std::make_shared<Calls>();
  calls->forced_answer = 99;  // someone SET the key by hand
  CounterSequenceSource source("order", incr_by(calls));
  EXPECT_THROW(run(io, source.reserve("20250301", 100)), ProtocolError);
}

// A counter as reserve_ids.lua keeps it: raise to the floor, then INCRBY; -1 for a missing key
// unless told to create it.
struct Seeded {
  std::map<std::string, long long> counters;
  std::uint64_t stored = 0;  // the store's largest sequence of any day
  int stored_reads = 0;
};

asio::awaitable<long long> fake_reserve(std::shared_ptr<Seeded> s, std::string key, long long by,
                                        long long floor, bool create) {
  auto it = s->counters.find(key);
  if (it == s->counters.end() && !create) co_return -1;
  auto& value = s->counters[key];
  value = std::max(value, floor);
  co_return value += by;
}

asio::awaitable<std::uint64_t> fake_stored(std::shared_ptr<Seeded> s) {
  ++s->stored_reads;
  co_return s->stored;
}

CounterSequenceSource seeded_source(const std::shared_ptr<Seeded>& s) {
  return CounterSequenceSource(
      "order",
      [s](std::string key, long long by, long long floor, bool create) {
        return fake_reserve(s, std::move(key), by, floor, create);
      },
      [s](std::string) { return fake_stored(s); });
}

TEST(CounterSequenceSource, ALostCounterIsCreatedAboveTheStoredIdsOfTheDay) {
  asio::io_context io;
  auto s = std::make_shared<Seeded>();
  auto source = seeded_source(s);
  EXPECT_EQ(run(io, source.reserve("20250301", 100)), 100U);  // a new day: the store has none
  EXPECT_EQ(run(io, source.reserve("20250301", 100)), 200U);
  EXPECT_EQ(s->stored_reads, 1);  // only when the counter is missing
  s->counters.clear();            // Redis lost it; the store holds sequence numbers up to 5000
  s->stored = 5000;
  EXPECT_EQ(run(io, source.reserve("20250301", 100)), 5100U);
  EXPECT_EQ(s->stored_reads, 2);
}

TEST(CounterSequenceSource, ALostCounterIsCreatedAboveTheBlocksThisSourceHolds) {
  asio::io_context io;
  auto s = std::make_shared<Seeded>();
  auto source = seeded_source(s);
  EXPECT_EQ(run(io, source.reserve("20250301", 1000)), 1000U);
  s->counters.clear();  // lost, and none of the block's ids reached the store yet
  EXPECT_EQ(run(io, source.reserve("20250301", 1000)), 2000U);
}

TEST(CounterSequenceSource, AnInstanceStillHoldingBlocksRaisesACounterSeededBelowThem) {
  asio::io_context io;
  auto s = std::make_shared<Seeded>();
  auto a = seeded_source(s);
  auto b = seeded_source(s);
  EXPECT_EQ(run(io, a.reserve("20250301", 100)), 100U);
  EXPECT_EQ(run(io, b.reserve("20250301", 100)), 200U);
  s->counters.clear();
  // A seeds above what it knows of; B's block is not among it (what no seed covers: an id used
  // twice there is refused by the store, order_store_pgtest).
  EXPECT_EQ(run(io, a.reserve("20250301", 100)), 200U);
  EXPECT_EQ(run(io, b.reserve("20250301", 100)), 300U);  // B's next fetch is above its own block
  EXPECT_EQ(run(io, a.reserve("20250301", 100)), 400U);
}

}  // namespace
}  // namespace seckill::id
