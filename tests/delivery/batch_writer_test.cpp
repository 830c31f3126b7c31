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
