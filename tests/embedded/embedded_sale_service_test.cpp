#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "coordinator/embedded/embedded_id_source.hpp"
#include "coordinator/embedded/embedded_stock_gate.hpp"
#include "sale/sale_service.hpp"
#include "store/sqlite/sqlite_sale_store.hpp"
#include "temp_dir.hpp"

// The use case's rules (tests/sale/sale_service_test.cpp) on the embedded mode's real parts:
// the in-memory gate, the SQLite store and the embedded ids. Same answers as the distributed
// mode, except that an order is stored (confirmed) as soon as it is taken.

namespace asio = boost::asio;
using namespace seckill;
using namespace seckill::sale;
using namespace std::chrono_literals;
using seckill::testing::TempDir;

namespace {

const SysTime kBegin = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} + 10h;
const SysTime kEnd = kBegin + 1h;

struct EmbeddedSaleFixture : ::testing::Test {
  TempDir dir;
  asio::io_context io;
  SysTime now = kBegin;
  store::sqlite::SqliteDatabase db{{.data_dir = dir.path()}};
  store::sqlite::SqliteSaleStore store{db};
  coordinator::embedded::EmbeddedStockGate gate{store};
  coordinator::embedded::EmbeddedIdSource ids{io.get_executor(), store.max_id_now()};
  SaleService sale{gate, store, ids, [this] { return now; }};

  template <class T>
  T run(asio::awaitable<T> a) {
    return seckill::testing::run_on(io, std::move(a));
  }
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

TEST_F(EmbeddedSaleFixture, WindowBoundariesAreExact) {
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

TEST_F(EmbeddedSaleFixture, OneOrderPerUserAndNeverMoreThanTheStock) {
  auto v = make_voucher(2);
  EXPECT_EQ(buy(1, v), std::nullopt);
  EXPECT_EQ(buy(1, v), ErrorCode::already_ordered);
  EXPECT_EQ(buy(2, v), std::nullopt);
  EXPECT_EQ(buy(3, v), ErrorCode::sold_out);
  EXPECT_EQ(run(gate.stock_left(v)), 0);
  EXPECT_EQ(run(store.find_voucher(v))->stock_left, 0);
}

TEST_F(EmbeddedSaleFixture, UnknownVoucherIsNotFound) {
  EXPECT_EQ(buy(1, 424242), ErrorCode::not_found);
  EXPECT_EQ(run(sale.get_voucher(424242)).error().code, ErrorCode::not_found);
}

TEST_F(EmbeddedSaleFixture, ATakenOrderIsAlreadyStoredAndVisibleToItsUserAndAdmins) {
  auto v = make_voucher(5);
  auto taken = run(sale.take_order(7, v));
  ASSERT_TRUE(taken);
  auto mine = run(sale.get_order(taken->order_id, 7, false));
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->status, OrderStatus::confirmed);
  EXPECT_EQ(mine->voucher_id, v);
  EXPECT_EQ(run(sale.get_order(taken->order_id, 8, false)).error().code, ErrorCode::not_found);
  EXPECT_TRUE(run(sale.get_order(taken->order_id, 8, true)));
  EXPECT_EQ(run(sale.get_order(taken->order_id + 1, 7, false)).error().code, ErrorCode::not_found);
}

TEST_F(EmbeddedSaleFixture, VoucherShowsTheLiveStock) {
  auto v = make_voucher(3);
  EXPECT_EQ(buy(1, v), std::nullopt);
  auto seen = run(sale.get_voucher(v));
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->stock_total, 3);
  EXPECT_EQ(seen->stock_left, 2);
}

TEST_F(EmbeddedSaleFixture, IdsGrowAcrossVouchersAndOrders) {
  auto v = make_voucher(3);
  auto taken = run(sale.take_order(1, v));
  ASSERT_TRUE(taken);
  EXPECT_GT(taken->order_id, v);
  EXPECT_EQ(store.max_id_now(), taken->order_id);
}
