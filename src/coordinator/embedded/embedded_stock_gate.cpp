#include "coordinator/embedded/embedded_stock_gate.hpp"

#include <exception>
#include <vector>

namespace seckill::coordinator::embedded {

namespace asio = boost::asio;

EmbeddedStockGate::EmbeddedStockGate(sale::SaleStore& store) : store_(store) {}

void EmbeddedStockGate::restore(std::span<const sale::StoreView> views) {
  std::unordered_map<std::uint64_t, std::unique_ptr<Slot>> slots;
  for (const auto& v : views) {
    auto slot = std::make_unique<Slot>();
    slot->stock_left = v.stock_left;
    slot->buyers.insert(v.orders.begin(), v.orders.end());
    slots.emplace(v.voucher_id, std::move(slot));
  }
  std::unique_lock lock(slots_mutex_);
  slots_ = std::move(slots);
}

EmbeddedStockGate::Slot* EmbeddedStockGate::find(std::uint64_t voucher_id) const {
  std::shared_lock lock(slots_mutex_);
  auto it = slots_.find(voucher_id);
  // Slots are never removed while serving (only restore() replaces them, before serving), so
  // the pointer stays valid after the lock is released.
  return it == slots_.end() ? nullptr : it->second.get();
}

asio::awaitable<void> EmbeddedStockGate::load(Voucher voucher) {
  if (find(voucher.id) == nullptr) {
    auto slot = std::make_unique<Slot>();
    slot->stock_left = voucher.stock_left;
    std::unique_lock lock(slots_mutex_);
    slots_.try_emplace(voucher.id, std::move(slot));  // a racing load may have won: keep it
  }
  co_return;
}

std::optional<sale::TakeResult> EmbeddedStockGate::reserve(Slot& slot, const Order& order,
                                                           std::int64_t& left) {
  std::lock_guard lock(slot.mutex);
  if (auto held = slot.buyers.find(order.user_id); held != slot.buyers.end()) {
    sale::TakeResult result{sale::TakeOutcome::already_ordered, 0};
    result.held_order_id = held->second;
    return result;
  }
  if (slot.stock_left <= 0) return sale::TakeResult{sale::TakeOutcome::sold_out, 0};
  --slot.stock_left;
  slot.buyers.emplace(order.user_id, order.id);
  ++slot.in_flight;
  left = slot.stock_left;
  return std::nullopt;
}

void EmbeddedStockGate::release(Slot& slot, const Order& order, bool keep_buyer) {
  std::lock_guard lock(slot.mutex);
  ++slot.stock_left;
  --slot.in_flight;
  if (!keep_buyer) slot.buyers.erase(order.user_id);
}

void EmbeddedStockGate::committed(Slot& slot) {
  std::lock_guard lock(slot.mutex);
  --slot.in_flight;
}

asio::awaitable<sale::TakeResult> EmbeddedStockGate::take(Order order) {
  Slot* slot = find(order.voucher_id);
  if (slot == nullptr) co_return sale::TakeResult{sale::TakeOutcome::unknown_voucher, 0};
  std::int64_t left = 0;
  if (auto answer = reserve(*slot, order, left)) co_return *answer;

  std::size_t inserted = 0;
  std::exception_ptr failure;
  try {
    std::vector<Order> batch{order};
    inserted = co_await store_.write_orders(std::move(batch));
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    release(*slot, order, false);
    std::rethrow_exception(failure);
  }
  if (inserted == 0) {
    // Not inserted: the store already holds an order of this user for this voucher (an order
    // id is never reused). The user is a buyer after all; the unit was not taken. Which order
    // they hold is the store's to say (held_order_id stays 0: the answer leaves it out).
    release(*slot, order, true);
    co_return sale::TakeResult{sale::TakeOutcome::already_ordered, 0};
  }
  committed(*slot);
  co_return sale::TakeResult{sale::TakeOutcome::taken, left, true};
}

asio::awaitable<std::optional<std::int64_t>> EmbeddedStockGate::stock_left(
    std::uint64_t voucher_id) {
  Slot* slot = find(voucher_id);
  if (slot == nullptr) co_return std::nullopt;
  std::int64_t left = 0;
  {
    std::lock_guard lock(slot->mutex);
    left = slot->stock_left;
  }
  co_return left;
}

asio::awaitable<std::optional<Order>> EmbeddedStockGate::find_pending(std::uint64_t) {
  co_return std::nullopt;
}

sale::CoordinatorView EmbeddedStockGate::view(std::uint64_t voucher_id) const {
  sale::CoordinatorView out;
  Slot* slot = find(voucher_id);
  if (slot == nullptr) return out;
  std::lock_guard lock(slot->mutex);
  out.stock_left = slot->stock_left;
  out.buyers.insert(slot->buyers.begin(), slot->buyers.end());
  out.queued = slot->in_flight;
  return out;
}

}  // namespace seckill::coordinator::embedded
