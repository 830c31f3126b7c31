#include "sale/sale_service.hpp"

#include <map>

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

// The first `limit` of pending and stored orders below `before`, newest first. `stored` holds
// the store's first limit + 1 below `before`, so every order of the page is among them or
// pending: a stored order not read lies below limit + 1 others. An order in both (stored
// after the pending read) is the stored one.
OrderPage merge_orders(std::vector<Order> pending, std::vector<Order> stored,
                       std::optional<std::uint64_t> before, int limit) {
  std::map<std::uint64_t, Order, std::greater<>> merged;
  for (auto& o : pending) {
    if (!before || o.id < *before) merged.insert_or_assign(o.id, std::move(o));
  }
  for (auto& o : stored)
    merged.insert_or_assign(o.id, std::move(o));
  OrderPage page;
  const auto wanted = static_cast<std::size_t>(limit);
  for (auto& [id, order] : merged) {
    if (page.orders.size() == wanted) {
      page.next = page.orders.back().id;
      break;
    }
    page.orders.push_back(std::move(order));
  }
  return page;
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
  // If loading fails, the first purchase finds it missing and rebuilds it from the store
  // (stock_rebuild.hpp: no orders yet, so the whole stock).
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
  Voucher v = entry->current();
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
  auto now = clock_();
  // The window as it stands: an admin may have ended the sale early (end_voucher).
  const auto begin_at = entry->begin_at();
  const auto end_at = entry->end_at();
  switch (sale_window(begin_at, end_at, now)) {
    case SaleWindow::not_started:
      co_return std::unexpected(failure(
          ErrorCode::not_started, fmt::format("the sale starts at {}", format_rfc3339(begin_at))));
    case SaleWindow::ended:
      co_return std::unexpected(
          failure(ErrorCode::ended, fmt::format("the sale ended at {}", format_rfc3339(end_at))));
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
  rebuild_.request(co_await boost::asio::this_coro::executor, entry->current());
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

boost::asio::awaitable<VoucherPage> SaleService::list_vouchers(std::optional<VoucherStatus> status,
                                                               std::optional<std::uint64_t> after,
                                                               int limit) {
  VoucherFilter filter{.status = status, .now = clock_(), .before_id = after, .limit = limit + 1};
  auto found = co_await store_.find_vouchers(std::move(filter));
  VoucherPage page;
  if (found.size() > static_cast<std::size_t>(limit)) {
    found.resize(static_cast<std::size_t>(limit));
    page.next = found.back().id;
  }
  for (auto& v : found) {
    // As get_voucher: the coordinator's count leads the store's.
    if (auto live = co_await gate_.stock_left(v.id)) v.stock_left = *live;
  }
  page.vouchers = std::move(found);
  co_return page;
}

boost::asio::awaitable<std::expected<OrderPage, Failure>> SaleService::voucher_orders(
    std::uint64_t voucher_id, std::optional<std::uint64_t> after, int limit) {
  if (!co_await cached(voucher_id)) co_return std::unexpected(voucher_not_found(voucher_id));
  // The coordinator first: an order it hands out and the writer stores meanwhile is in the store
  // read that follows; the other way round it could be in neither.
  auto pending = co_await gate_.pending_orders(voucher_id);
  OrderFilter filter{
      .voucher_id = voucher_id, .user_id = std::nullopt, .before_id = after, .limit = limit + 1};
  auto stored = co_await store_.find_orders(std::move(filter));
  co_return merge_orders(std::move(pending), std::move(stored), after, limit);
}

boost::asio::awaitable<OrderPage> SaleService::user_orders(std::uint64_t user_id,
                                                           std::optional<std::uint64_t> after,
                                                           int limit) {
  auto pending = co_await gate_.pending_orders_of_user(user_id);
  OrderFilter filter{
      .voucher_id = std::nullopt, .user_id = user_id, .before_id = after, .limit = limit + 1};
  auto stored = co_await store_.find_orders(std::move(filter));
  co_return merge_orders(std::move(pending), std::move(stored), after, limit);
}

boost::asio::awaitable<std::expected<Voucher, Failure>> SaleService::end_voucher(
    std::uint64_t voucher_id) {
  auto now = clock_();
  auto found = co_await store_.find_voucher(voucher_id);
  if (!found) co_return std::unexpected(voucher_not_found(voucher_id));
  if (sale_window(*found, now) != SaleWindow::ended) {
    found = co_await store_.end_voucher(voucher_id, now);
    if (!found) co_return std::unexpected(voucher_not_found(voucher_id));
    cache_.mark_ended(voucher_id, found->end_at);
    if (ended_listener_) ended_listener_(voucher_id, found->end_at);
  }
  if (auto live = co_await gate_.stock_left(voucher_id)) found->stock_left = *live;
  co_return *found;
}

}  // namespace seckill::sale
