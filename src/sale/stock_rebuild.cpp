#include "sale/stock_rebuild.hpp"

#include <algorithm>
#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/infra_error.hpp"

namespace seckill::sale {

namespace asio = boost::asio;

namespace {

/// Unique per attempt across instances: the claim says whose it is.
std::string new_owner() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return fmt::format("{:016x}{:016x}", random(), random());
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace

StockRebuild::StockRebuild(StockGate& gate, SaleStore& store, RebuildOptions options)
    : gate_(gate), store_(store), options_(options) {}

bool StockRebuild::running(std::uint64_t voucher_id) const {
  std::lock_guard lock(mutex_);
  return running_.contains(voucher_id);
}

void StockRebuild::request(asio::any_io_executor executor, Voucher voucher) {
  {
    std::lock_guard lock(mutex_);
    if (!running_.insert(voucher.id).second) return;
  }
  asio::co_spawn(executor, run_detached(this, std::move(voucher)), asio::detached);
}

asio::awaitable<void> StockRebuild::run_detached(StockRebuild* self, Voucher voucher) {
  const auto id = voucher.id;
  try {
    co_await self->rebuild(std::move(voucher));
  } catch (const InfraError& e) {
    spdlog::warn(
        "voucher {}: rebuild of the coordinator's state failed ({}); the next purchase "
        "tries again",
        id, e.what());
  }
  std::lock_guard lock(self->mutex_);
  self->running_.erase(id);
}

asio::awaitable<bool> StockRebuild::rebuild(Voucher voucher) {
  const auto owner = new_owner();
  if (!co_await gate_.claim_rebuild(voucher.id, owner, options_.claim_ttl)) co_return false;
  spdlog::warn(
      "voucher {}: the coordinator lost its state; rebuilding it from the store once the "
      "writers are drained (purchases answer 503 meanwhile)",
      voucher.id);
  const auto started = std::chrono::steady_clock::now();
  auto view = co_await store_.store_view(voucher.id);
  if (!view) throw InfraError(fmt::format("voucher {} is not in the store", voucher.id));
  for (;;) {
    co_await sleep_for(options_.quiet);
    auto again = co_await store_.store_view(voucher.id);
    if (!again) throw InfraError(fmt::format("voucher {} is not in the store", voucher.id));
    const bool settled = again->orders == view->orders;
    view = std::move(again);
    if (settled) break;
    if (std::chrono::steady_clock::now() - started > options_.claim_ttl / 2) {
      spdlog::warn("voucher {}: stored orders still changing after {} ms; rebuild postponed",
                   voucher.id, (options_.claim_ttl / 2).count());
      co_return false;
    }
  }
  const auto sold = static_cast<std::int64_t>(view->orders.size());
  const std::int64_t left = std::max<std::int64_t>(0, view->stock_total - sold);
  std::vector<Buyer> buyers;
  buyers.reserve(view->orders.size());
  for (const auto& [user, order] : view->orders)
    buyers.push_back(Buyer{user, order});
  const bool restored = co_await gate_.restore_lost(voucher, left, std::move(buyers), owner);
  if (restored) {
    spdlog::warn(
        "voucher {}: rebuilt from the store: {} stored orders, {} units left; sale resumes",
        voucher.id, sold, left);
  }
  co_return restored;
}

}  // namespace seckill::sale
