#include "sale/sale_service.hpp"

#include <functional>
#include <map>
#include <mutex>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "core/infra_error.hpp"

// The use case's rules, checked against small in-process stand-ins for its three interfaces
// (the Redis and PostgreSQL implementations have their own live tests).

namespace asio = boost::asio;
using namespace seckill;
using namespace seckill::sale;
using namespace std::chrono_literals;

namespace {

class CountingIds : public IdSource {
 public:
  asio::awaitable<std::uint64_t> next_id() override { co_return ++last_; }

 private:
  std::uint64_t last_ = 1000;
};

class TableStore : public SaleStore {
 public:
  asio::awaitable<Voucher> create_voucher(std::uint64_t id, NewVoucher v) override {
    Voucher out{id, v.title, v.stock, v.stock, v.begin_at, v.end_at, v.begin_at};
    vouchers[id] = out;
    co_return out;
  }
  asio::awaitable<std::optional<Voucher>> find_voucher(std::uint64_t id) override {
    ++voucher_reads;
    auto it = vouchers.find(id);
    co_return it == vouchers.end() ? std::nullopt : std::optional(it->second);
  }
  asio::awaitable<std::vector<Voucher>> list_vouchers() override {
    co_return std::vector<Voucher>{};
  }
  asio::awaitable<std::size_t> write_orders(std::vector<Order> batch) override {
    for (auto& o : batch) {
      o.status = OrderStatus::confirmed;
      orders[o.id] = o;
    }
    co_return batch.size();
  }
  asio::awaitable<std::optional<Order>> find_order(std::uint64_t id) override {
    auto it = orders.find(id);
    co_return it == orders.end() ? std::nullopt : std::optional(it->second);
  }
  asio::awaitable<std::optional<StoreView>> store_view(std::uint64_t id) override {
    ++view_reads;
    if (on_view) on_view(view_reads);
    auto it = vouchers.find(id);
    if (it == vouchers.end()) co_return std::nullopt;
    StoreView view{.voucher_id = id,
                   .stock_total = it->second.stock_total,
                   .stock_left = it->second.stock_left,
                   .orders = {},
                   .second_orders = {}};
    for (const auto& [order_id, o] : orders) {
      if (o.voucher_id == id) view.orders.emplace(o.user_id, order_id);
    }
    co_return view;
  }
  asio::awaitable<std::vector<Voucher>> find_vouchers(VoucherFilter f) override {
    std::vector<Voucher> out;
    for (auto it = vouchers.rbegin(); it != vouchers.rend(); ++it) {
      if (f.before_id && it->first >= *f.before_id) continue;
      if (out.size() == static_cast<std::size_t>(f.limit)) break;
      out.push_back(it->second);
    }
    co_return out;
  }
  asio::awaitable<std::optional<Voucher>> end_voucher(std::uint64_t id, SysTime now) override {
    auto it = vouchers.find(id);
    if (it == vouchers.end()) co_return std::nullopt;
    it->second.end_at = std::min(it->second.end_at, now);
    it->second.begin_at = std::min(it->second.begin_at, now);
    co_return it->second;
  }
  asio::awaitable<std::vector<Order>> find_orders(OrderFilter f) override {
    std::vector<Order> out;
    for (auto it = orders.rbegin(); it != orders.rend(); ++it) {
      const Order& o = it->second;
      if (f.before_id && o.id >= *f.before_id) continue;
      if (f.voucher_id && o.voucher_id != *f.voucher_id) continue;
      if (f.user_id && o.user_id != *f.user_id) continue;
      if (out.size() == static_cast<std::size_t>(f.limit)) break;
      out.push_back(o);
    }
    co_return out;
  }
  std::map<std::uint64_t, Voucher> vouchers;
  std::map<std::uint64_t, Order> orders;
  int voucher_reads = 0;
  int view_reads = 0;
  std::function<void(int)> on_view;  ///< before each store_view, with its number
};

class TableGate : public StockGate {
 public:
  asio::awaitable<void> load(Voucher v) override {
    stock.try_emplace(v.id, v.stock_left);
    co_return;
  }
  asio::awaitable<TakeResult> take(Order o) override {
    ++takes;
    auto it = stock.find(o.voucher_id);
    if (it == stock.end()) co_return TakeResult{TakeOutcome::unknown_voucher, 0};
    if (auto held = buyers_of.find({o.voucher_id, o.user_id}); held != buyers_of.end()) {
      TakeResult result{TakeOutcome::already_ordered, 0};
      result.held_order_id = held->second;
      co_return result;
    }
    if (it->second <= 0) co_return TakeResult{TakeOutcome::sold_out, 0};
    --it->second;
    buyers_of.insert({{o.voucher_id, o.user_id}, o.id});
    pending[o.id] = o;
    co_return TakeResult{TakeOutcome::taken, it->second};
  }
  asio::awaitable<std::optional<std::int64_t>> stock_left(std::uint64_t id) override {
    auto it = stock.find(id);
    co_return it == stock.end() ? std::nullopt : std::optional(it->second);
  }
  asio::awaitable<std::optional<Order>> find_pending(std::uint64_t id) override {
    auto it = pending.find(id);
    co_return it == pending.end() ? std::nullopt : std::optional(it->second);
  }
  asio::awaitable<std::optional<std::vector<Buyer>>> buyers(std::uint64_t id) override {
    ++buyer_reads;
    std::vector<Buyer> out;
    for (const auto& [key, order] : buyers_of) {
      if (key.first == id) out.push_back(Buyer{key.second, order});
    }
    co_return out;
  }
  asio::awaitable<bool> restore_lost(Voucher v, std::int64_t left, std::vector<Buyer> buyers,
                                     std::string owner) override {
    (void)owner;
    if (stock.contains(v.id)) co_return false;
    for (const auto& b : buyers)
      buyers_of.insert({{v.id, b.user_id}, b.order_id});
    stock[v.id] = left;
    ++restores;
    co_return true;
  }
  /// What a Redis restarted without persistence does to a voucher.
  void lose(std::uint64_t voucher_id) {
    stock.erase(voucher_id);
    std::erase_if(buyers_of, [&](const auto& e) { return e.first.first == voucher_id; });
  }
  std::map<std::uint64_t, std::int64_t> stock;
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::uint64_t> buyers_of;
  int restores = 0;
  std::map<std::uint64_t, Order> pending;
  int takes = 0;
  int buyer_reads = 0;
};

template <class T>
T run(asio::awaitable<T> a) {
  asio::io_context io;
  auto f = asio::co_spawn(io, std::move(a), asio::use_future);
  io.run();
  return f.get();
}

const SysTime kBegin = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} + 10h;
const SysTime kEnd = kBegin + 1h;

struct SaleFixture : ::testing::Test {
  SysTime now = kBegin;
  CountingIds ids;
  TableStore store;
  TableGate gate;
  SaleService sale{gate, store, ids, [this] { return now; },
                   RebuildOptions{.quiet = 1ms, .claim_ttl = 10s}};

  std::uint64_t make_voucher(std::int64_t stock) {
    auto v = run(sale.create_voucher(NewVoucher{"ten percent off", stock, kBegin, kEnd}));
    EXPECT_TRUE(v.has_value());
    return v->id;
  }
  std::optional<ErrorCode> buy(std::uint64_t user, std::uint64_t voucher) {
    auto r = run(sale.take_order(user, voucher));
    if (r) return std::nullopt;
    return r.error().code;
  }
};

}  // namespace

TEST_F(SaleFixture, CreateValidatesEveryField) {
  auto bad = [&](NewVoucher v) {
    auto r = run(sale.create_voucher(std::move(v)));
    return r ? std::string{} : r.error().message;
  };
  EXPECT_NE(bad({"", 1, kBegin, kEnd}).find("title"), std::string::npos);
  EXPECT_NE(bad({std::string(201, 'x'), 1, kBegin, kEnd}).find("title"), std::string::npos);
  EXPECT_NE(bad({"t", 0, kBegin, kEnd}).find("stock"), std::string::npos);
  EXPECT_NE(bad({"t", 1'000'000'001, kBegin, kEnd}).find("stock"), std::string::npos);
  EXPECT_NE(bad({"t", 1, kEnd, kBegin}).find("end_at"), std::string::npos);
  EXPECT_NE(bad({"t", 1, kBegin, kBegin}).find("end_at"), std::string::npos);
  EXPECT_EQ(bad({"t", 1'000'000'000, kBegin, kEnd}), "");
}

TEST_F(SaleFixture, WindowBoundariesAreExact) {
  auto v = make_voucher(10);
  now = kBegin - 1ms;
  EXPECT_EQ(buy(1, v), ErrorCode::not_started);
  now = kBegin;
  EXPECT_EQ(buy(2, v), std::nullopt);
  now = kEnd - 1ms;
  EXPECT_EQ(buy(3, v), std::nullopt);
  now = kEnd;
  EXPECT_EQ(buy(4, v), ErrorCode::ended);
}

TEST_F(SaleFixture, OneOrderPerUserAndNeverMoreThanTheStock) {
  auto v = make_voucher(2);
  EXPECT_EQ(buy(1, v), std::nullopt);
  EXPECT_EQ(buy(1, v), ErrorCode::already_ordered);
  EXPECT_EQ(buy(2, v), std::nullopt);
  EXPECT_EQ(buy(3, v), ErrorCode::sold_out);
  EXPECT_EQ(gate.stock[v], 0);
}

// Issue 15, "Rebuild, don't guess": the store's stock_left lags the coordinator by the orders in
// flight, so a lost voucher is refused (503) until it is rebuilt from the stored orders, once they
// stop changing; never refilled from stock_left with no buyers.
TEST_F(SaleFixture, LostVoucherAnswersUnavailableUntilRebuiltFromStoredOrders) {
  auto v = make_voucher(3);
  EXPECT_EQ(buy(1, v), std::nullopt);
  EXPECT_EQ(buy(2, v), std::nullopt);
  const auto first = gate.buyers_of.at({v, 1});
  const auto second = gate.buyers_of.at({v, 2});
  // User 1's order is stored; user 2's is still in a writer's hands when Redis loses the voucher,
  // and stored while the rebuild waits for the writers (before its second read). The fake store's
  // stock_left never moves: it is not what the rebuild reads.
  run(store.write_orders({gate.pending.at(first)}));
  gate.lose(v);
  store.on_view = [&](int n) {
    if (n == 2) run(store.write_orders({gate.pending.at(second)}));
  };
  EXPECT_THROW(buy(1, v), InfraError) << "nothing is sold while the voucher is lost";
  EXPECT_EQ(gate.restores, 1);
  EXPECT_GE(store.view_reads, 3) << "the rebuild waits until two reads agree";
  EXPECT_EQ(gate.stock[v], 1) << "stock_total - stored orders";
  auto again = run(sale.take_order(1, v));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::already_ordered);
  EXPECT_EQ(again.error().order_id, first);
  EXPECT_EQ(buy(2, v), ErrorCode::already_ordered) << "an order stored during the drain counts";
  EXPECT_EQ(buy(3, v), std::nullopt);
  EXPECT_EQ(buy(4, v), ErrorCode::sold_out);
}

TEST_F(SaleFixture, SoldOutIsAnsweredLocallyAndBroadcastOnce) {
  int broadcasts = 0;
  sale.on_sold_out([&](std::uint64_t) { ++broadcasts; });
  auto v = make_voucher(1);
  EXPECT_EQ(buy(1, v), std::nullopt);
  int takes = gate.takes;
  for (std::uint64_t u = 2; u < 50; ++u)
    EXPECT_EQ(buy(u, v), ErrorCode::sold_out);
  EXPECT_EQ(gate.takes, takes) << "sold-out answers must not reach the coordinator";
  EXPECT_EQ(broadcasts, 1);
  // The buyer is told the truth, also on the local path; the buyer set was read once.
  EXPECT_EQ(buy(1, v), ErrorCode::already_ordered);
  EXPECT_EQ(gate.takes, takes);
  EXPECT_EQ(gate.buyer_reads, 1);
}

// A client that lost its 201 asks again and learns which order it holds (CONTRACT.md, "Errors"),
// from the coordinator and from the local sold-out path alike.
TEST_F(SaleFixture, AlreadyOrderedCarriesTheHeldOrderId) {
  auto v = make_voucher(2);
  auto first = run(sale.take_order(7, v));
  ASSERT_TRUE(first.has_value());
  auto again = run(sale.take_order(7, v));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::already_ordered);
  EXPECT_EQ(again.error().order_id, std::optional<std::uint64_t>(first->order_id));
  EXPECT_EQ(buy(8, v), std::nullopt);
  EXPECT_EQ(buy(9, v), ErrorCode::sold_out);  // now answered locally
  int takes = gate.takes;
  auto local = run(sale.take_order(7, v));
  ASSERT_FALSE(local.has_value());
  EXPECT_EQ(gate.takes, takes);
  EXPECT_EQ(local.error().order_id, std::optional<std::uint64_t>(first->order_id));
  auto other = run(sale.take_order(9, v));
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().order_id, std::nullopt) << "sold_out carries no order";
}

TEST_F(SaleFixture, UnknownVoucherIsNotFoundAndMetadataIsCached) {
  EXPECT_EQ(buy(1, 424242), ErrorCode::not_found);
  auto v = make_voucher(100);
  int reads = store.voucher_reads;
  for (std::uint64_t u = 1; u <= 20; ++u)
    EXPECT_EQ(buy(u, v), std::nullopt);
  EXPECT_EQ(store.voucher_reads, reads) << "the purchase path must not read the store";
}

TEST_F(SaleFixture, OrdersAreVisibleToTheirUserAndAdminsOnly) {
  auto v = make_voucher(5);
  auto taken = run(sale.take_order(7, v));
  ASSERT_TRUE(taken);
  auto mine = run(sale.get_order(taken->order_id, 7, false));
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->status, OrderStatus::pending);
  EXPECT_EQ(run(sale.get_order(taken->order_id, 8, false)).error().code, ErrorCode::not_found);
  EXPECT_TRUE(run(sale.get_order(taken->order_id, 8, true)));
  run(store.write_orders({*mine}));
  EXPECT_EQ(run(sale.get_order(taken->order_id, 7, false))->status, OrderStatus::confirmed);
}

TEST_F(SaleFixture, VoucherShowsTheCoordinatorsLiveStock) {
  auto v = make_voucher(3);
  EXPECT_EQ(buy(1, v), std::nullopt);
  auto seen = run(sale.get_voucher(v));
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->stock_total, 3);
  EXPECT_EQ(seen->stock_left, 2);
}
