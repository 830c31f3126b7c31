#include "sale/order_writer.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "core/infra_error.hpp"

namespace seckill::sale {

namespace asio = boost::asio;

namespace {

asio::awaitable<void> pause(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

std::vector<Order> orders_of(const std::vector<QueuedOrder>& batch) {
  std::vector<Order> out;
  out.reserve(batch.size());
  for (const auto& q : batch)
    out.push_back(q.order);
  return out;
}

}  // namespace

OrderWriter::OrderWriter(OrderQueue& queue, SaleStore& store, OrderWriterOptions options)
    : queue_(queue), store_(store), options_(options) {}

asio::awaitable<void> OrderWriter::run() {
  auto last_claim = std::chrono::steady_clock::now() - options_.claim_every;
  while (!stopping_.load()) {
    bool progressed = true;
    try {
      auto now = std::chrono::steady_clock::now();
      if (now - last_claim >= options_.claim_every) {
        last_claim = now;
        auto stale = co_await queue_.claim_stale(options_.claim_idle, options_.batch);
        if (!stale.empty()) {
          spdlog::info("order writer: claimed {} abandoned entries", stale.size());
          progressed = co_await write(std::move(stale));
        }
      }
      if (progressed) {
        auto batch = co_await queue_.read(options_.batch, options_.block);
        if (!batch.empty()) progressed = co_await write(std::move(batch));
      }
    } catch (const InfraError& e) {
      // The queue itself is unreachable; what we hold stays pending and is claimed later.
      spdlog::warn("order writer: queue unavailable: {}", e.what());
      progressed = false;
    }
    if (!progressed) co_await pause(options_.retry_backoff);
  }
}

asio::awaitable<bool> OrderWriter::write(std::vector<QueuedOrder> batch) {
  bool refused = false;
  try {
    auto inserted = co_await store_.write_orders(orders_of(batch));
    stats_.written.fetch_add(inserted, std::memory_order_relaxed);
    stats_.batches.fetch_add(1, std::memory_order_relaxed);
  } catch (const ReplyError& e) {
    // The store refused the batch (not an outage): find the entries it refuses one by one.
    stats_.store_failures.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("order writer: batch of {} refused ({}); writing one by one", batch.size(),
                 e.what());
    refused = true;
  } catch (const InfraError& e) {
    // An outage: leave the batch pending; it is claimed again once idle long enough.
    stats_.store_failures.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("order writer: store unavailable, {} orders stay queued: {}", batch.size(),
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

asio::awaitable<void> OrderWriter::write_one_by_one(std::vector<QueuedOrder> batch) {
  for (auto& entry : batch) {
    std::string refusal;
    try {
      auto inserted = co_await store_.write_orders(std::vector<Order>(1, entry.order));
      stats_.written.fetch_add(inserted, std::memory_order_relaxed);
    } catch (const ReplyError& e) {
      refusal = e.what();
    }
    if (refusal.empty()) {
      co_await queue_.ack(std::vector<QueuedOrder>(1, entry));
    } else if (entry.deliveries >= options_.max_deliveries) {
      spdlog::error("order writer: order {} dead-lettered after {} deliveries: {}", entry.order.id,
                    entry.deliveries, refusal);
      stats_.dead_lettered.fetch_add(1, std::memory_order_relaxed);
      co_await queue_.dead_letter(entry, refusal);
    }
    // Otherwise it stays pending and comes back through claim_stale.
  }
}

}  // namespace seckill::sale
