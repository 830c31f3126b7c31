#include "remind/reminder_writer.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "core/infra_error.hpp"

namespace seckill::remind {

namespace asio = boost::asio;

namespace {

asio::awaitable<void> pause(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

std::vector<ReminderEvent> events_of(const std::vector<QueuedReminder>& batch) {
  std::vector<ReminderEvent> out;
  out.reserve(batch.size());
  for (const auto& q : batch)
    out.push_back(q.event);
  return out;
}

}  // namespace

ReminderWriter::ReminderWriter(ReminderQueue& queue, ReminderRecords& records,
                               ReminderWriterOptions options)
    : queue_(queue), records_(records), options_(options) {}

asio::awaitable<void> ReminderWriter::run() {
  auto last_claim = std::chrono::steady_clock::now() - options_.claim_every;
  while (!stopping_.load()) {
    bool progressed = true;
    try {
      auto now = std::chrono::steady_clock::now();
      if (now - last_claim >= options_.claim_every) {
        last_claim = now;
        auto stale = co_await queue_.claim_stale(options_.claim_idle, options_.batch);
        if (!stale.empty()) {
          spdlog::info("reminder writer: claimed {} abandoned entries", stale.size());
          progressed = co_await write(std::move(stale));
        }
      }
      if (progressed) {
        auto batch = co_await queue_.read(options_.batch, options_.block);
        if (!batch.empty()) progressed = co_await write(std::move(batch));
      }
    } catch (const InfraError& e) {
      // The queue itself is unreachable; what we hold stays pending and is claimed later.
      spdlog::warn("reminder writer: queue unavailable: {}", e.what());
      progressed = false;
    }
    if (!progressed) co_await pause(options_.retry_backoff);
  }
}

asio::awaitable<bool> ReminderWriter::write(std::vector<QueuedReminder> batch) {
  bool refused = false;
  try {
    co_await records_.write(events_of(batch));
    stats_.events.fetch_add(batch.size(), std::memory_order_relaxed);
    stats_.batches.fetch_add(1, std::memory_order_relaxed);
  } catch (const ReplyError& e) {
    // The store refused the batch (not an outage): find the entries it refuses one by one.
    stats_.store_failures.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("reminder writer: batch of {} refused ({}); writing one by one", batch.size(),
                 e.what());
    refused = true;
  } catch (const InfraError& e) {
    // An outage: leave the batch pending; it is claimed again once idle long enough.
    stats_.store_failures.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("reminder writer: store unavailable, {} reminders stay queued: {}", batch.size(),
                 e.what());
    co_return false;
  }
  if (refused) {
    co_await write_one_by_one(std::move(batch));
    co_return true;
  }
  co_await queue_.ack(std::move(batch));
  co_return true;
}

asio::awaitable<void> ReminderWriter::write_one_by_one(std::vector<QueuedReminder> batch) {
  for (auto& entry : batch) {
    std::string refusal;
    try {
      co_await records_.write(std::vector<ReminderEvent>(1, entry.event));
      stats_.events.fetch_add(1, std::memory_order_relaxed);
    } catch (const ReplyError& e) {
      refusal = e.what();
    }
    if (refusal.empty()) {
      co_await queue_.ack(std::vector<QueuedReminder>(1, entry));
    } else if (entry.deliveries >= options_.max_deliveries) {
      spdlog::error(
          "reminder writer: reminder of user {} on record {} dead-lettered after {} "
          "deliveries: {}",
          entry.event.user_id, entry.event.reminder_id, entry.deliveries, refusal);
      stats_.dead_lettered.fetch_add(1, std::memory_order_relaxed);
      co_await queue_.dead_letter(entry, refusal);
    }
    // Otherwise it stays pending and comes back through claim_stale.
  }
}

}  // namespace seckill::remind
