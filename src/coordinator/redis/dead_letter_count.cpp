#include "coordinator/redis/dead_letter_count.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "coordinator/redis/remind_keys.hpp"
#include "coordinator/redis/sale_keys.hpp"
#include "coordinator/redis/stock_buckets_audit.hpp"
#include "core/infra_error.hpp"

namespace seckill::coordinator::redis {

namespace asio = boost::asio;

asio::awaitable<std::vector<std::string>> order_dead_streams(seckill::redis::Client& client) {
  std::vector<std::string> out{"seckill:orders:dead"};
  auto reply = co_await client.command({"SMEMBERS", kVoucherSetKey});
  std::vector<std::string> members;
  for (const auto& m : reply.elements())
    members.emplace_back(m.as_string());
  for (const auto& [id, buckets] : registered_buckets(members)) {
    for (auto b : buckets)
      out.push_back(SaleKeys(id, b).dead);
  }
  co_return out;
}

std::vector<std::string> reminder_dead_streams() {
  std::vector<std::string> out;
  for (const auto& stream : reminder_streams())
    out.push_back(stream + ":dead");
  return out;
}

asio::awaitable<DeadLetterCounts> count_dead_letters(seckill::redis::Client& client) {
  DeadLetterCounts counts;
  for (const auto& stream : co_await order_dead_streams(client)) {
    auto n = (co_await client.command({"XLEN", stream})).as_integer();
    counts.orders += static_cast<std::uint64_t>(n);
  }
  for (const auto& stream : reminder_dead_streams()) {
    auto n = (co_await client.command({"XLEN", stream})).as_integer();
    counts.reminders += static_cast<std::uint64_t>(n);
  }
  co_return counts;
}

asio::awaitable<void> DeadLetterWatch::run(std::chrono::milliseconds period) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  auto last_warning = std::chrono::steady_clock::time_point{};
  while (!stopping_) {
    try {
      auto counts = co_await count_dead_letters(client_);
      if (counts.orders + counts.reminders > orders_.load() + reminders_.load()) {
        spdlog::error("{} dead letters (orders), {} (reminders): see `seckill dead-letters list`",
                      counts.orders, counts.reminders);
      }
      orders_ = counts.orders;
      reminders_ = counts.reminders;
      known_ = true;
    } catch (const InfraError& e) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_warning >= std::chrono::minutes(1)) {
        last_warning = now;
        spdlog::warn("dead letters: cannot count them ({}); kept the last count", e.what());
      }
    }
    timer.expires_after(period);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace seckill::coordinator::redis
