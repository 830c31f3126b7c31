#include "sale/sale_service.hpp"

#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "core/infra_error.hpp"

namespace seckill::sale {

namespace {

Failure failure(ErrorCode code, std::string message) {
  return Failure{code, std::move(message), {}};
}

// `order_id` 0: the coordinator could not tell which order (the field is then left out).
Failure already_ordered(std::uint64_t order_id) {
  auto f = failure(ErrorCode::already_ordered, "you already hold an order of this voucher");
  if (order_id != 0) f.order_id = order_id;
  return f;
}

Failure voucher_not_found(std::uint64_t id) {
  return failure(ErrorCode::not_found, fmt::format("voucher {} does not exist", id));
}

}  // namespace

SaleService::SaleService(StockGate& gate, SaleStore& store, IdSource& ids, Clock clock,
                         RebuildOptions rebuild)
    : gate_(gate),
      store_(store),
      ids_(ids),
      clock_(std::move(clock)),
      rebuild_(gate, store, rebuild) {}

boost::asio::awaitable<std::expected<Voucher, Failure>> SaleService::create_voucher(NewVoucher v) {
  if (auto bad = validate(v)) co_return std::unexpected(std::move(*bad));
  auto id = co_await ids_.next_id();
  Voucher stored = co_await store_.create_voucher(id, std::move(v));
  // The store is written first: a voucher the coordinator knows is always one the store has.
  // If loading fails the voucher is loaded lazily by the first purchase (see cached()).
  co_await gate_.load(stored);
  cache_.insert(stored);
  co_return stored;
}

boost::asio::awaitable<std::shared_ptr<CachedVoucher>> SaleService::cached(std::uint64_t id) {
  if (auto hit = cache_.find(id)) co_return hit;
  auto found = co_await store_.find_voucher(id);
  if (!found) co_return nullptr;
  // Not loaded into the coordinator from here: it was loaded at creation, and one it no longer
  // holds is rebuilt (sale/stock_rebuild.hpp), never refilled from the lagging stock_left.
  co_return cache_.insert(*found);
}

boost::asio::awaitable<std::expected<Voucher, Failure>> SaleService::get_voucher(std::uint64_t id) {
  auto entry = co_await cached(id);
  if (!entry) co_return std::unexpected(voucher_not_found(id));
  Voucher v = entry->voucher;
  if (auto live = co_await gate_.stock_left(id)) {
    v.stock_left = *live;
  } else if (auto stored = co_await store_.find_voucher(id)) {
    v.stock_left = stored->stock_left;
  }
  co_return v;
}

void SaleService::sold_out(CachedVoucher& v) {
  if (!v.sold_out.exchange(true, std::memory_order_relaxed) && sold_out_listener_) {
    sold_out_listener_(v.voucher.id);
  }
}

boost::asio::awaitable<std::expected<TakenOrder, Failure>> SaleService::take_order(
    std::uint64_t user_id, std::uint64_t voucher_id) {
  auto entry = co_await cached(voucher_id);
  if (!entry) co_return std::unexpected(voucher_not_found(voucher_id));
  const Voucher& v = entry->voucher;
  auto now = clock_();
  switch (sale_window(v, now)) {
    case SaleWindow::not_started:
      co_return std::unexpected(
          failure(ErrorCode::not_started,
                  fmt::format("the sale starts at {}", format_rfc3339(v.begin_at))));
    case SaleWindow::ended:
      co_return std::unexpected(
          failure(ErrorCode::ended, fmt::format("the sale ended at {}", format_rfc3339(v.end_at))));
    case SaleWindow::open:
      break;
  }
  if (entry->sold_out.load(std::memory_order_relaxed)) {
    auto buyers = entry->buyers.load();
    if (!buyers && !entry->buyers_loading.exchange(true)) {
      // Once per instance and voucher: the buyers of a sold-out voucher never change.
      auto list = co_await gate_.buyers(voucher_id);
      if (list) {
        auto held = std::make_shared<std::unordered_map<std::uint64_t, std::uint64_t>>();
        held->reserve(list->size());
        for (const auto& b : *list)
          held->emplace(b.user_id, b.order_id);
        buyers = std::move(held);
        entry->buyers.store(buyers);
      }
    }
    if (buyers) {
      if (auto held = buyers->find(user_id); held != buyers->end()) {
        co_return std::unexpected(already_ordered(held->second));
      }
      co_return std::unexpected(failure(ErrorCode::sold_out, "this voucher is sold out"));
    }
  }
  auto order_id = co_await ids_.next_id();
  Order order{.id = order_id,
              .user_id = user_id,
              .voucher_id = voucher_id,
              .created_at = now,
              .status = OrderStatus::pending};
  TakeResult result;
  try {
    result = co_await gate_.take(order);
  } catch (const TimeoutError& e) {
    // The order may have been taken (the script ran, its reply was lost): never answer that
    // nothing was done. A retry by the client answers already_ordered if it was.
    throw OutcomeUnknownError(e.what());
  } catch (const ReplyLostError& e) {
    throw OutcomeUnknownError(e.what());
  }
  switch (result.outcome) {
    case TakeOutcome::taken:
      if (result.stock_left == 0) sold_out(*entry);
      co_return TakenOrder{order.id, result.stored ? OrderStatus::confirmed : OrderStatus::pending};
    case TakeOutcome::sold_out:
      sold_out(*entry);
      co_return std::unexpected(failure(ErrorCode::sold_out, "this voucher is sold out"));
    case TakeOutcome::already_ordered:
      co_return std::unexpected(already_ordered(result.held_order_id));
    case TakeOutcome::unknown_voucher:
      break;
  }
  // The store has the voucher but the coordinator lost it: rebuild, don't guess.
  rebuild_.request(co_await boost::asio::this_coro::executor, v);
  throw InfraError(fmt::format(
      "the coordinator lost voucher {}; it is being rebuilt from the store", voucher_id));
}

boost::asio::awaitable<std::expected<Order, Failure>> SaleService::get_order(
    std::uint64_t order_id, std::uint64_t caller_id, bool caller_is_admin) {
  auto order = co_await store_.find_order(order_id);
  if (!order) order = co_await gate_.find_pending(order_id);
  if (!order || (order->user_id != caller_id && !caller_is_admin)) {
    co_return std::unexpected(
        failure(ErrorCode::not_found, fmt::format("order {} does not exist", order_id)));
  }
  co_return *order;
}

}  // namespace seckill::sale
