#pragma once
// Moves decided work (orders, reminder events) from a DurableQueue to the store, in batches, in
// every instance. An entry is acknowledged only after the transaction that stored it committed,
// so a crash at any point leaves it pending, to be claimed and written again; the store ignores
// what it already has, so writing twice changes nothing.
//
// Failures: an outage (InfraError other than ReplyError) leaves the batch pending, to be claimed
// again after the idle time, however long it lasts; a refusal by the store (ReplyError: the store
// refused the rows on their own merits) makes the writer find the refused entries one by one, and
// an entry the store refused `max_refusals` times goes to the dead letters. Refusals are counted
// apart from deliveries: an entry claimed again and again through an outage (a database failover
// and its read-only minutes) has many deliveries and no refusal, and is never dead-lettered for
// it. Never an entry is dropped silently.

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "core/infra_error.hpp"
#include "delivery/durable_queue.hpp"
#include "metrics/histogram.hpp"

namespace seckill::delivery {

struct BatchWriterOptions {
  std::size_t batch = 500;
  std::chrono::milliseconds block{100};
  /// An entry pending this long with some consumer is assumed abandoned and claimed.
  std::chrono::milliseconds claim_idle{5000};
  std::chrono::milliseconds claim_every{1000};
  /// An entry the store refuses on its own merits (a ReplyError, not an outage) this many times
  /// is dead-lettered. Counted by this writer, apart from the queue's delivery count.
  std::uint64_t max_refusals = 5;
  std::chrono::milliseconds retry_backoff{200};
  /// Batches being stored at once. Above 1, the writer reads the next batch while earlier ones
  /// are still in their transactions (each on its own pool connection), which is what lets one
  /// instance drain a backlog faster than one commit after the other; only for a store whose
  /// batch writes may run side by side without deadlocking (the order insert is built for it).
  std::size_t in_flight = 1;
};

struct BatchWriterStats {
  std::atomic<std::uint64_t> written{0};  ///< what the store reports as written
  std::atomic<std::uint64_t> batches{0};
  std::atomic<std::uint64_t> dead_lettered{0};
  std::atomic<std::uint64_t> store_failures{0};
  /// Single entries the store refused on their own merits (a subset of the failures' entries).
  std::atomic<std::uint64_t> refusals{0};
  /// Entries per batch stored.
  metrics::ValueHistogram batch_entries{kBatchBounds};
  /// Age of a stored batch's oldest entry (its decision time to its commit): how far the store
  /// lags the coordinator. Only for items that carry their time (`created_at` or `at`).
  metrics::LatencyHistograms lag{1};

  static constexpr std::array<double, 8> kBatchBounds = {1, 5, 10, 50, 100, 250, 500, 1000};
};

template <class Item>
class BatchWriter {
 public:
  /// Stores a batch in one transaction, idempotently; returns how much it wrote. Throws
  /// ReplyError when the store refuses the batch, another InfraError on an outage.
  using Sink = std::function<boost::asio::awaitable<std::size_t>(std::vector<Item>)>;

  /// `name` appears in the logs ("order", "reminder"). The queue must outlive the writer.
  BatchWriter(DurableQueue<Item>& queue, Sink sink, std::string name,
              BatchWriterOptions options = {})
      : queue_(queue), sink_(std::move(sink)), name_(std::move(name)), options_(options) {}

  /// Runs until stop(); never throws (failures are counted, logged and retried).
  boost::asio::awaitable<void> run();
  /// Makes run() return after the batches in hand.
  void stop() { stopping_.store(true); }

  const BatchWriterStats& stats() const { return stats_; }

 private:
  using Batch = std::vector<Queued<Item>>;

  static std::vector<Item> items_of(const Batch& batch) {
    std::vector<Item> out;
    out.reserve(batch.size());
    for (const auto& q : batch)
      out.push_back(q.item);
    return out;
  }

  boost::asio::awaitable<void> pause(std::chrono::milliseconds d) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, d);
    co_await timer.async_wait(boost::asio::use_awaitable);
  }

  void observe_lag(const Batch& batch) {
    if (batch.empty()) return;
    const auto now = std::chrono::system_clock::now();
    if constexpr (requires(const Item& i) { i.created_at; }) {
      stats_.lag.observe(0, now - batch.front().item.created_at);
    } else if constexpr (requires(const Item& i) { i.at; }) {
      stats_.lag.observe(0, now - batch.front().item.at);
    }
  }

  boost::asio::awaitable<bool> write(Batch batch);
  boost::asio::awaitable<void> write_one_by_one(Batch batch);
  /// write() as one of the batches in flight: frees its slot when done, and records an outage
  /// for run() to back off.
  boost::asio::awaitable<void> write_in_flight(Batch batch);
  /// Until fewer than `limit` batches are in flight.
  boost::asio::awaitable<void> wait_for_slots(std::size_t limit);
  /// One more refusal of `entry`; returns how many so far.
  std::uint64_t count_refusal(const Queued<Item>& entry);
  /// `entry` left the queue (stored or dead-lettered): its count goes.
  void forget_refusals(const Queued<Item>& entry);

  DurableQueue<Item>& queue_;
  Sink sink_;
  std::string name_;
  BatchWriterOptions options_;
  BatchWriterStats stats_;
  std::atomic<bool> stopping_{false};
  // Touched only from run()'s executor (one thread), by run() and the batches it spawned.
  std::size_t in_flight_ = 0;
  bool outage_in_flight_ = false;
  /// When the store last failed as an outage (not a refusal); no claiming for a while after it.
  std::chrono::steady_clock::time_point last_outage_{};
  std::optional<boost::asio::steady_timer> slot_freed_;
  /// Refusals per entry ("stream entry_id"), in this writer: lost on a restart, which only
  /// delays a dead letter (more attempts), never hastens one.
  std::mutex refusals_mutex_;
  std::unordered_map<std::string, std::uint64_t> refusals_;
  static constexpr std::size_t kMaxRefusalEntries = 100'000;
};

template <class Item>
std::uint64_t BatchWriter<Item>::count_refusal(const Queued<Item>& entry) {
  std::lock_guard lock(refusals_mutex_);
  if (refusals_.size() >= kMaxRefusalEntries) refusals_.clear();  // bounded; errs on retrying
  return ++refusals_[entry.stream + ' ' + entry.entry_id];
}

template <class Item>
void BatchWriter<Item>::forget_refusals(const Queued<Item>& entry) {
  std::lock_guard lock(refusals_mutex_);
  if (!refusals_.empty()) refusals_.erase(entry.stream + ' ' + entry.entry_id);
}

template <class Item>
boost::asio::awaitable<void> BatchWriter<Item>::run() {
  auto executor = co_await boost::asio::this_coro::executor;
  slot_freed_.emplace(executor);
  const std::size_t limit = std::max<std::size_t>(options_.in_flight, 1);
  auto last_claim = std::chrono::steady_clock::now() - options_.claim_every;
  while (!stopping_.load()) {
    bool progressed = true;
    try {
      auto now = std::chrono::steady_clock::now();
      // A writer whose store is out does not claim: what it took over it could not store, and
      // claiming resets the entries' idle time, so the writers that can reach the store would
      // never get them (a stalled instance kept its own and others' entries for as long as
      // its link to the store was down).
      const bool store_out = now - last_outage_ < 2 * options_.claim_idle;
      if (!store_out && now - last_claim >= options_.claim_every) {
        last_claim = now;
        auto stale = co_await queue_.claim_stale(options_.claim_idle, options_.batch);
        if (!stale.empty()) {
          spdlog::info("{} writer: claimed {} abandoned entries", name_, stale.size());
          progressed = co_await write(std::move(stale));
        }
      }
      if (progressed) {
        co_await wait_for_slots(limit);
        if (outage_in_flight_) {
          outage_in_flight_ = false;
          progressed = false;
        }
      }
      if (progressed) {
        auto batch = co_await queue_.read(options_.batch, options_.block);
        if (!batch.empty() && limit == 1) {
          progressed = co_await write(std::move(batch));
        } else if (!batch.empty()) {
          ++in_flight_;
          boost::asio::co_spawn(executor, write_in_flight(std::move(batch)), boost::asio::detached);
        }
      }
    } catch (const InfraError& e) {
      // The queue itself is unreachable; what we hold stays pending and is claimed later.
      spdlog::warn("{} writer: queue unavailable: {}", name_, e.what());
      progressed = false;
    }
    if (!progressed) co_await pause(options_.retry_backoff);
  }
  co_await wait_for_slots(1);
}

template <class Item>
boost::asio::awaitable<void> BatchWriter<Item>::write_in_flight(Batch batch) {
  try {
    if (!co_await write(std::move(batch))) outage_in_flight_ = true;
  } catch (const InfraError& e) {
    // The acknowledgement failed: the batch is stored, and stays pending until claimed again.
    spdlog::warn("{} writer: queue unavailable: {}", name_, e.what());
    outage_in_flight_ = true;
  }
  --in_flight_;
  slot_freed_->cancel();
}

template <class Item>
boost::asio::awaitable<void> BatchWriter<Item>::wait_for_slots(std::size_t limit) {
  while (in_flight_ >= limit) {
    slot_freed_->expires_at(boost::asio::steady_timer::time_point::max());
    boost::system::error_code ignored;
    co_await slot_freed_->async_wait(
        boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
  }
}

template <class Item>
boost::asio::awaitable<bool> BatchWriter<Item>::write(Batch batch) {
  bool refused = false;
  try {
    auto written = co_await sink_(items_of(batch));
    stats_.written.fetch_add(written, std::memory_order_relaxed);
    stats_.batches.fetch_add(1, std::memory_order_relaxed);
    stats_.batch_entries.observe(static_cast<double>(batch.size()));
    observe_lag(batch);
  } catch (const ReplyError& e) {
    stats_.store_failures.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("{} writer: batch of {} refused ({}); writing one by one", name_, batch.size(),
                 e.what());
    refused = true;
  } catch (const InfraError& e) {
    stats_.store_failures.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("{} writer: store unavailable, {} entries stay queued: {}", name_, batch.size(),
                 e.what());
    last_outage_ = std::chrono::steady_clock::now();
    co_return false;
  }
  // No co_await inside a catch block (C++ forbids it): the refusal is handled here.
  if (refused) {
    co_await write_one_by_one(std::move(batch));
    co_return true;
  }
  co_await queue_.ack(std::move(batch));
  co_return true;
}

template <class Item>
boost::asio::awaitable<void> BatchWriter<Item>::write_one_by_one(Batch batch) {
  for (auto& entry : batch) {
    std::string refusal;
    try {
      auto written = co_await sink_(std::vector<Item>(1, entry.item));
      stats_.written.fetch_add(written, std::memory_order_relaxed);
    } catch (const ReplyError& e) {
      refusal = e.what();
    }
    if (refusal.empty()) {
      co_await queue_.ack(Batch(1, entry));
      forget_refusals(entry);
      continue;
    }
    stats_.refusals.fetch_add(1, std::memory_order_relaxed);
    const auto refusals = count_refusal(entry);
    if (refusals >= options_.max_refusals) {
      spdlog::error("{} writer: entry {} of {} dead-lettered after {} refusals ({} deliveries): {}",
                    name_, entry.entry_id, entry.stream, refusals, entry.deliveries, refusal);
      stats_.dead_lettered.fetch_add(1, std::memory_order_relaxed);
      co_await queue_.dead_letter(entry, refusal);
      forget_refusals(entry);
    }
    // Otherwise it stays pending and comes back through claim_stale.
  }
}

}  // namespace seckill::delivery
