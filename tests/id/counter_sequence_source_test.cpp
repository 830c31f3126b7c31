#include "id/counter_sequence_source.hpp"

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

}  // namespace
}  // namespace seckill::id
