// The batch writer with several batches in flight: every entry is stored and acknowledged once,
// at most `in_flight` transactions run at once, stop() waits for the ones in hand, and an outage
// leaves the failed batch unacknowledged. The queue and the store here are in memory: what is
// tested is the writer's bookkeeping (Redis and PostgreSQL behind it are tested elsewhere).
#include "delivery/batch_writer.hpp"

#include <algorithm>
#include <deque>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "core/infra_error.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using seckill::delivery::BatchWriter;
using seckill::delivery::BatchWriterOptions;
using seckill::delivery::DurableQueue;
using Entry = seckill::delivery::Queued<int>;

namespace {

asio::awaitable<void> pause(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

class MemoryQueue : public DurableQueue<int> {
 public:
  explicit MemoryQueue(int entries) {
    for (int i = 0; i < entries; ++i)
      waiting_.push_back(Entry{"s", std::to_string(i), i, 1});
  }

  asio::awaitable<std::vector<Entry>> read(std::size_t max, std::chrono::milliseconds) override {
    std::vector<Entry> out;
    while (!waiting_.empty() && out.size() < max) {
      out.push_back(waiting_.front());
      waiting_.pop_front();
    }
    if (out.empty()) co_await pause(2ms);
    co_return out;
  }
  asio::awaitable<std::vector<Entry>> claim_stale(std::chrono::milliseconds, std::size_t) override {
    co_return std::vector<Entry>{};
  }
  asio::awaitable<void> ack(std::vector<Entry> done) override {
    for (const auto& e : done) {
      if (!acked.insert(e.item).second) ++acked_twice;
    }
    co_return;
  }
  asio::awaitable<void> dead_letter(Entry, std::string) override { co_return; }

  std::set<int> acked;
  int acked_twice = 0;

 private:
  std::deque<Entry> waiting_;
};

// A store whose transactions take a few milliseconds; counts how many run at once.
struct SlowStore {
  int running = 0;
  int most_at_once = 0;
  int fail_first = 0;  // this many calls fail as an outage
  int calls = 0;

  asio::awaitable<std::size_t> write(std::vector<int> items) {
    const int call = ++calls;
    ++running;
    most_at_once = std::max(most_at_once, running);
    co_await pause(3ms);
    --running;
    if (call <= fail_first) throw seckill::IoError("store down");
    co_return items.size();
  }
};

struct WriterRun {
  MemoryQueue queue;
  SlowStore store;
  BatchWriter<int> writer;

  WriterRun(int entries, BatchWriterOptions options)
      : queue(entries),
        writer(
            queue, [this](std::vector<int> items) { return store.write(std::move(items)); }, "test",
            options) {}

  // Runs the writer until every entry is acknowledged (or 5 s), then stops it.
  void until_all_acked(asio::io_context& io, std::size_t entries) {
    bool finished = false;
    asio::co_spawn(io, writer.run(), [&](std::exception_ptr) { finished = true; });
    auto watch = [&]() -> asio::awaitable<void> {
      for (int i = 0; i < 2500 && queue.acked.size() < entries; ++i)
        co_await pause(2ms);
      writer.stop();
    };
    asio::co_spawn(io, watch(), asio::detached);
    io.run();
    EXPECT_TRUE(finished);
  }
};

BatchWriterOptions options(std::size_t batch, std::size_t in_flight) {
  BatchWriterOptions o;
  o.batch = batch;
  o.in_flight = in_flight;
  o.retry_backoff = 5ms;
  return o;
}

}  // namespace

TEST(BatchWriter, SeveralBatchesInFlightStoreEveryEntryOnce) {
  asio::io_context io;
  WriterRun run(1000, options(10, 4));
  run.until_all_acked(io, 1000);
  EXPECT_EQ(run.queue.acked.size(), 1000u);
  EXPECT_EQ(run.queue.acked_twice, 0);
  EXPECT_EQ(run.writer.stats().written.load(), 1000u);
  EXPECT_GT(run.store.most_at_once, 1);
  EXPECT_LE(run.store.most_at_once, 4);
  EXPECT_EQ(run.store.running, 0) << "run() returned with a transaction still running";
}

TEST(BatchWriter, OneInFlightIsOneAfterTheOther) {
  asio::io_context io;
  WriterRun run(200, options(10, 1));
  run.until_all_acked(io, 200);
  EXPECT_EQ(run.queue.acked.size(), 200u);
  EXPECT_EQ(run.store.most_at_once, 1);
}

TEST(BatchWriter, AnOutageLeavesItsBatchesUnacknowledged) {
  asio::io_context io;
  // The first two transactions fail: their 20 entries stay pending (a real queue hands them out
  // again through claim_stale; this one does not), everything else is stored.
  WriterRun run(100, options(10, 4));
  run.store.fail_first = 2;
  run.until_all_acked(io, 80);
  EXPECT_EQ(run.queue.acked.size(), 80u);
  EXPECT_EQ(run.queue.acked_twice, 0);
  EXPECT_EQ(run.writer.stats().written.load(), 80u);
  EXPECT_EQ(run.writer.stats().store_failures.load(), 2u);
}

namespace {

// A queue that hands every unacknowledged entry out again on each claim, one delivery more each
// time, as a Redis stream does for entries left pending through an outage.
class RedeliveringQueue : public DurableQueue<int> {
 public:
  RedeliveringQueue(int entries, std::uint64_t deliveries_so_far) {
    for (int i = 0; i < entries; ++i)
      pending_.push_back(Entry{"s", std::to_string(i), i, deliveries_so_far});
  }
  asio::awaitable<std::vector<Entry>> read(std::size_t, std::chrono::milliseconds) override {
    co_await pause(1ms);
    co_return std::vector<Entry>{};
  }
  asio::awaitable<std::vector<Entry>> claim_stale(std::chrono::milliseconds, std::size_t) override {
    for (auto& e : pending_)
      ++e.deliveries;
    co_return pending_;
  }
  asio::awaitable<void> ack(std::vector<Entry> done) override {
    for (const auto& e : done) {
      acked.insert(e.item);
      std::erase_if(pending_, [&](const Entry& p) { return p.item == e.item; });
    }
    co_return;
  }
  asio::awaitable<void> dead_letter(Entry e, std::string reason) override {
    dead.emplace_back(e.item, std::move(reason));
    std::erase_if(pending_, [&](const Entry& p) { return p.item == e.item; });
    co_return;
  }
  bool settled() const { return pending_.empty(); }

  std::set<int> acked;
  std::vector<std::pair<int, std::string>> dead;

 private:
  std::vector<Entry> pending_;
};

// Refuses (ReplyError: the row on its own merits) any batch holding `poison`, its first
// `refusals` times, or always when `refusals` is negative.
struct RefusingStore {
  int poison = -1;
  int refusals = 0;
  int refused = 0;
  asio::awaitable<std::size_t> write(std::vector<int> items) {
    if (std::find(items.begin(), items.end(), poison) != items.end() &&
        (refusals < 0 || refused < refusals)) {
      ++refused;
      throw seckill::ReplyError("check constraint violated");
    }
    co_return items.size();
  }
};

void run_until_settled(asio::io_context& io, RedeliveringQueue& queue, BatchWriter<int>& writer) {
  bool finished = false;
  asio::co_spawn(io, writer.run(), [&](std::exception_ptr) { finished = true; });
  auto watch = [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 2500 && !queue.settled(); ++i)
      co_await pause(2ms);
    writer.stop();
  };
  asio::co_spawn(io, watch(), asio::detached);
  io.run();
  EXPECT_TRUE(finished);
}

BatchWriterOptions claiming(std::uint64_t max_refusals) {
  BatchWriterOptions o;
  o.batch = 10;
  o.claim_every = 0ms;
  o.retry_backoff = 1ms;
  o.max_refusals = max_refusals;
  return o;
}

}  // namespace

// Issue #15: entries claimed many times through a database outage (deliveries 7 and up) and then
// refused once by a store back in an odd state are not dead-lettered: deliveries are not refusals.
TEST(BatchWriter, DeliveriesDuringAnOutageAreNotRefusals) {
  asio::io_context io;
  RedeliveringQueue queue(5, 7);
  RefusingStore store{.poison = 3, .refusals = 2};
  BatchWriter<int> writer(
      queue, [&store](std::vector<int> items) { return store.write(std::move(items)); }, "test",
      claiming(5));
  run_until_settled(io, queue, writer);
  EXPECT_TRUE(queue.dead.empty()) << "dead-lettered after " << store.refused << " refusals";
  EXPECT_EQ(queue.acked, (std::set<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(writer.stats().dead_lettered.load(), 0u);
  EXPECT_GE(writer.stats().refusals.load(), 1u) << "entry 3 was refused on its own";
}

// A row the store refuses every time goes to the dead letters after exactly max_refusals
// refusals, with the store's reason; the others are stored.
TEST(BatchWriter, APoisonEntryIsDeadLetteredAfterMaxRefusals) {
  asio::io_context io;
  RedeliveringQueue queue(5, 1);
  RefusingStore store{.poison = 2, .refusals = -1};
  BatchWriter<int> writer(
      queue, [&store](std::vector<int> items) { return store.write(std::move(items)); }, "test",
      claiming(3));
  run_until_settled(io, queue, writer);
  ASSERT_EQ(queue.dead.size(), 1u);
  EXPECT_EQ(queue.dead[0].first, 2);
  EXPECT_NE(queue.dead[0].second.find("check constraint"), std::string::npos);
  EXPECT_EQ(queue.acked, (std::set<int>{0, 1, 3, 4}));
  EXPECT_EQ(writer.stats().refusals.load(), 3u);
}
