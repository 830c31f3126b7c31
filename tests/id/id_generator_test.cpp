#include "id/id_generator.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "core/infra_error.hpp"
#include "id/counter_sequence_source.hpp"
#include "id/id_exhausted.hpp"
#include "id/id_layout.hpp"
#include "id/in_memory_sequence_source.hpp"

namespace seckill::id {
namespace {

namespace asio = boost::asio;
using namespace std::chrono;

/// The executor of the background fetches, run on its own thread as an I/O thread would be.
class IoThread {
 public:
  IoThread() : guard_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~IoThread() {
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  asio::any_io_executor executor() { return io_.get_executor(); }

  /// Runs `a` on the I/O thread and waits for it; rethrows what it throws.
  template <typename T>
  T run(asio::awaitable<T> a) {
    return asio::co_spawn(io_, std::move(a), asio::use_future).get();
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

/// A wall clock the test sets by hand.
class FakeClock {
 public:
  explicit FakeClock(sys_seconds t) { set(t); }
  void set(sys_seconds t) { now_->store(t.time_since_epoch().count()); }
  IdGeneratorOptions::Clock clock() const {
    return [now = now_] { return system_clock::time_point{seconds{now->load()}}; };
  }

 private:
  std::shared_ptr<std::atomic<std::int64_t>> now_ = std::make_shared<std::atomic<std::int64_t>>();
};

/// A source that fails on demand, over an in-memory one.
class FlakySource final : public SequenceSource {
 public:
  std::atomic<bool> failing{false};
  std::atomic<bool> throw_non_infra{false};
  std::atomic<int> calls{0};
  InMemorySequenceSource inner;

  asio::awaitable<std::uint64_t> reserve(std::string day, std::uint32_t block) override {
    ++calls;
    if (throw_non_infra) throw std::runtime_error("bug in the backend");
    if (failing) throw IoError("redis: connection refused");
    co_return inner.reserve_now(day, block);
  }
};

asio::awaitable<int> answer_after_the_timer() {
  co_return 1;
}

std::uint64_t take(IdGenerator& gen, IoThread& io) {
  if (auto id = gen.try_next()) return *id;
  return io.run(gen.next());
}

const sys_seconds kMarch1Noon = sys_days{2025y / March / 1} + 12h;
const std::string kMarch1 = "20250301";
const std::string kMarch2 = "20250302";

std::uint32_t second_of(sys_seconds t) {
  return *seconds_since_epoch(t);
}

TEST(IdGenerator, TenMillionIdsFromOneThreadStrictlyIncrease) {
  IoThread io;
  IdGenerator gen(io.executor(), std::make_shared<InMemorySequenceSource>());
  std::uint64_t previous = take(gen, io);
  for (int i = 1; i < 10'000'000; ++i) {
    const std::uint64_t id = take(gen, io);
    ASSERT_GT(id, previous) << "at " << i;
    previous = id;
  }
  EXPECT_TRUE(is_id(previous));
}

TEST(IdGenerator, FourThreadsGetDistinctIncreasingIds) {
  IoThread io;
  IdGenerator gen(io.executor(), std::make_shared<InMemorySequenceSource>());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 1'000'000;
  std::vector<std::vector<std::uint64_t>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto& mine = ids[static_cast<std::size_t>(t)];
      mine.reserve(kPerThread);
      for (int i = 0; i < kPerThread; ++i)
        mine.push_back(take(gen, io));
    });
  }
  for (auto& t : threads)
    t.join();

  std::vector<std::uint64_t> all;
  for (const auto& mine : ids) {
    EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end(), std::less_equal<>()))
        << "a thread's ids do not strictly increase";
    all.insert(all.end(), mine.begin(), mine.end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end()) << "duplicate id";
}

TEST(IdGenerator, AClockSteppingBackKeepsTheLastSecond) {
  IoThread io;
  FakeClock clock(kMarch1Noon);
  IdGenerator gen(io.executor(), std::make_shared<InMemorySequenceSource>(),
                  {.clock = clock.clock()});
  std::uint64_t previous = take(gen, io);
  EXPECT_EQ(decode(previous).seconds, second_of(kMarch1Noon));

  clock.set(kMarch1Noon - 100s);
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t id = take(gen, io);
    ASSERT_GT(id, previous);
    ASSERT_EQ(decode(id).seconds, second_of(kMarch1Noon));
    previous = id;
  }

  clock.set(kMarch1Noon + 5s);
  const std::uint64_t later = take(gen, io);
  EXPECT_GT(later, previous);
  EXPECT_EQ(decode(later).seconds, second_of(kMarch1Noon + 5s));
}

struct Counters {
  std::mutex mutex;
  std::map<std::string, long long> values;
};

asio::awaitable<long long> counters_incrby(std::shared_ptr<Counters> c, std::string key,
                                           long long by) {
  std::lock_guard lock(c->mutex);
  co_return c->values[key] += by;
}

TEST(IdGenerator, MidnightUtcSwitchesToTheNewDaysCounter) {
  IoThread io;
  FakeClock clock(sys_days{2025y / March / 1} + 23h + 59min + 58s);
  auto counters = std::make_shared<Counters>();
  auto source =
      std::make_shared<CounterSequenceSource>("order", [counters](std::string key, long long by) {
        return counters_incrby(counters, std::move(key), by);
      });
  IdGenerator gen(io.executor(), source, {.block_size = 1000, .clock = clock.clock()});

  std::uint64_t previous = 0;
  for (int i = 0; i < 500; ++i) {
    const std::uint64_t id = take(gen, io);
    ASSERT_GT(id, previous);
    previous = id;
  }
  EXPECT_EQ(day_key(day_of(decode(previous).seconds)), kMarch1);

  const sys_seconds after_midnight = sys_days{2025y / March / 2} + 1s;
  clock.set(after_midnight);
  const std::uint64_t first = take(gen, io);
  EXPECT_GT(first, previous);
  EXPECT_EQ(decode(first).seconds, second_of(after_midnight));
  EXPECT_EQ(decode(first).sequence, 1U) << "the new day's counter starts again";
  {
    std::lock_guard lock(counters->mutex);
    EXPECT_EQ(counters->values.count("id:order:20250302"), 1U);
  }

  // Back before midnight: the ids stay on the new day, its seconds and its counter.
  clock.set(sys_days{2025y / March / 1} + 23h + 59min + 59s);
  previous = first;
  for (int i = 0; i < 3000; ++i) {
    const std::uint64_t id = take(gen, io);
    ASSERT_GT(id, previous);
    ASSERT_EQ(decode(id).seconds, second_of(after_midnight));
    previous = id;
  }
  std::lock_guard lock(counters->mutex);
  EXPECT_GE(counters->values["id:order:20250302"], 3001);
  EXPECT_LT(counters->values["id:order:20250301"], 3000) << "no block of the old day afterwards";
}

TEST(IdGenerator, ExhaustionOfTheDayIsAnErrorUntilTheNextDay) {
  IoThread io;
  FakeClock clock(kMarch1Noon);
  auto source = std::make_shared<InMemorySequenceSource>();
  source->set_counter(kMarch1, kMaxSequence - 25'000);
  IdGenerator gen(io.executor(), source,
                  {.block_size = 10'000, .max_block_size = 10'000, .clock = clock.clock()});

  std::uint64_t count = 0;
  std::uint64_t last = 0;
  for (;;) {
    std::uint64_t id = 0;
    try {
      id = take(gen, io);
    } catch (const IdExhausted&) {
      break;
    }
    ASSERT_GT(id, last);
    last = id;
    ++count;
  }
  EXPECT_EQ(count, 25'000U);
  EXPECT_EQ(decode(last).sequence, kMaxSequence);
  EXPECT_EQ(gen.try_next(), std::nullopt);
  EXPECT_THROW(io.run(gen.next()), IdExhausted);
  EXPECT_THROW(io.run(gen.next()), InfraError) << "IdExhausted is an InfraError: 503";

  clock.set(sys_days{2025y / March / 2});
  const std::uint64_t next_day = io.run(gen.next());
  EXPECT_GT(next_day, last);
  EXPECT_EQ(decode(next_day).sequence, 1U);
}

TEST(IdGenerator, ThePast2092IsExhaustion) {
  IoThread io;
  FakeClock clock(kEpoch + seconds{kMaxSeconds});
  IdGenerator gen(io.executor(), std::make_shared<InMemorySequenceSource>(),
                  {.clock = clock.clock()});
  EXPECT_EQ(decode(io.run(gen.next())).seconds, kMaxSeconds);
  clock.set(kEpoch + seconds{kMaxSeconds} + 1s);
  EXPECT_EQ(gen.try_next(), std::nullopt);
  EXPECT_THROW(io.run(gen.next()), IdExhausted);
}

TEST(IdGenerator, SourceFailureIsReportedThenRecovers) {
  IoThread io;
  auto source = std::make_shared<FlakySource>();
  source->failing = true;
  IdGenerator gen(
      io.executor(), source,
      {.block_size = 1000, .max_block_size = 1000, .retry_initial = 5ms, .retry_max = 20ms});
  EXPECT_THROW(io.run(gen.next()), IoError);
  EXPECT_EQ(gen.try_next(), std::nullopt);
  EXPECT_GE(gen.stats().fetch_failures, 1U);

  source->failing = false;
  std::optional<std::uint64_t> id;
  for (int i = 0; i < 200 && !id; ++i) {
    try {
      id = io.run(gen.next());
    } catch (const IoError&) {
      std::this_thread::sleep_for(5ms);  // until the background retry succeeds
    }
  }
  ASSERT_TRUE(id.has_value());
}

TEST(IdGenerator, AFailureInTheBackgroundIsInvisibleWhileTheBlockLasts) {
  IoThread io;
  auto source = std::make_shared<FlakySource>();
  IdGenerator gen(io.executor(), source,
                  {.block_size = 1000, .max_block_size = 1000, .retry_initial = 5ms});
  std::uint64_t previous = io.run(gen.next());
  source->failing = true;
  for (int i = 1; i < 1000; ++i) {  // the rest of the first block
    const std::uint64_t id = io.run(gen.next());
    ASSERT_GT(id, previous);
    previous = id;
  }
  EXPECT_THROW(io.run(gen.next()), IoError);
  source->failing = false;
  // next() waits for the background fetch under way; a retry still waiting out its backoff
  // (5 ms) answers IoError once more: asked again until the block is there.
  std::optional<std::uint64_t> id;
  for (int i = 0; i < 1000 && !id; ++i) {
    try {
      id = io.run(gen.next());
    } catch (const IoError&) {
      std::this_thread::sleep_for(5ms);
    }
  }
  ASSERT_TRUE(id.has_value());
  EXPECT_GT(*id, previous);
}

TEST(IdGenerator, AnyFailureOfTheSourceBecomesInfraError) {
  IoThread io;
  auto source = std::make_shared<FlakySource>();
  source->throw_non_infra = true;
  IdGenerator gen(io.executor(), source, {.retry_initial = 5ms});
  EXPECT_THROW(io.run(gen.next()), InfraError);
}

TEST(IdGenerator, TheDoubleBufferKeepsTryNextReadyInTheSteadyState) {
  IoThread io;
  IdGenerator gen(io.executor(), std::make_shared<InMemorySequenceSource>(),
                  {.block_size = 1 << 20, .max_block_size = 1 << 20});
  (void)io.run(gen.next());  // warm-up: the first block is there
  int misses = 0;
  for (int i = 0; i < 5'000'000; ++i) {
    if (!gen.try_next()) ++misses;
  }
  EXPECT_EQ(misses, 0);
  EXPECT_GE(gen.stats().blocks_used, 5U);
}

TEST(IdGenerator, BlocksGrowWhenUsedUpQuickly) {
  IoThread io;
  IdGenerator gen(io.executor(), std::make_shared<InMemorySequenceSource>(),
                  {.block_size = 1000, .max_block_size = 64'000});
  for (int i = 0; i < 200'000; ++i)
    (void)take(gen, io);
  EXPECT_EQ(gen.stats().block_size, 64'000U);
}

TEST(IdGenerator, ResumesAboveTheLastIdOfAnEarlierRun) {
  IoThread io;
  const std::uint64_t after = encode(second_of(kMarch1Noon), 5'000);
  FakeClock clock(kMarch1Noon - 1h);  // the clock went back across the restart
  IdGenerator gen(io.executor(), std::make_shared<InMemorySequenceSource>(after),
                  {.after_id = after, .clock = clock.clock()});
  EXPECT_GT(io.run(gen.next()), after);
}

TEST(IdGenerator, CanBeDestroyedWhileARetryIsPending) {
  IoThread io;
  auto source = std::make_shared<FlakySource>();
  source->failing = true;
  auto gen = std::make_unique<IdGenerator>(
      io.executor(), source, IdGeneratorOptions{.retry_initial = 200ms, .retry_max = 200ms});
  EXPECT_THROW(io.run(gen->next()), IoError);
  const int calls = source->calls.load();
  gen.reset();  // the retry timer still holds the state; it must not crash when it fires
  // The timer fires while the I/O thread still runs: the background fetch sees the generator
  // gone, ends without asking the source again, and lets go of the state (and so of the
  // source, whose only other owner is this test).
  for (int i = 0; i < 500 && source.use_count() > 1; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(source.use_count(), 1) << "the retry timer never fired";
  EXPECT_EQ(source->calls.load(), calls) << "the source was asked again after destruction";
  EXPECT_EQ(io.run(answer_after_the_timer()), 1) << "the I/O thread still runs";
}

}  // namespace
}  // namespace seckill::id
