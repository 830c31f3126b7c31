#include "store/sqlite/sqlite_sale_store.hpp"

#include <atomic>
#include <fstream>
#include <iterator>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "store/sqlite/sale_tables.hpp"
#include "temp_dir.hpp"

namespace asio = boost::asio;
using namespace std::chrono;
using namespace seckill;
using namespace seckill::store::sqlite;
using seckill::testing::run;
using seckill::testing::TempDir;

namespace {

const SysTime kBegin = sys_days{year{2026} / 11 / 22} + 10h;

NewVoucher voucher(std::int64_t stock) {
  return {.title = "ten percent off", .stock = stock, .begin_at = kBegin, .end_at = kBegin + 1h};
}

Order order(std::uint64_t id, std::uint64_t user, std::uint64_t voucher_id) {
  return {.id = id,
          .user_id = user,
          .voucher_id = voucher_id,
          .created_at = kBegin + microseconds(id),
          .status = OrderStatus::pending};
}

SqliteDatabaseOptions options(const TempDir& dir) {
  return {.data_dir = dir.path()};
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string open_error(const SqliteDatabaseOptions& o) {
  try {
    SqliteDatabase db(o);
  } catch (const IoError& e) {
    return e.what();
  }
  return {};
}

std::int64_t stock_left(SqliteSaleStore& store, std::uint64_t voucher_id) {
  return run(store.find_voucher(voucher_id)).value().stock_left;
}

}  // namespace

TEST(SqliteStore, CreatesFindsAndListsVouchers) {
  TempDir dir;
  SqliteDatabase db(options(dir));
  SqliteSaleStore store(db);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "seckill.db"));

  auto created = run(store.create_voucher(7, voucher(100)));
  EXPECT_EQ(created.id, 7u);
  EXPECT_EQ(created.title, "ten percent off");
  EXPECT_EQ(created.stock_total, 100);
  EXPECT_EQ(created.stock_left, 100);
  EXPECT_EQ(created.begin_at, kBegin);
  EXPECT_EQ(created.end_at, kBegin + 1h);
  EXPECT_LT(abs(created.created_at - system_clock::now()), 1min);

  auto found = run(store.find_voucher(7));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->title, created.title);
  EXPECT_EQ(found->created_at, created.created_at);
  EXPECT_EQ(found->begin_at, kBegin);
  EXPECT_FALSE(run(store.find_voucher(8)));

  EXPECT_THROW(run(store.create_voucher(7, voucher(1))), SqliteError) << "the id exists";
  run(store.create_voucher(3, voucher(5)));
  auto all = run(store.list_vouchers());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, 3u);
  EXPECT_EQ(all[1].id, 7u);
}

TEST(SqliteStore, WriteOrdersIsIdempotentAndKeepsStockExact) {
  TempDir dir;
  SqliteDatabase db(options(dir));
  SqliteSaleStore store(db);
  run(store.create_voucher(1, voucher(10)));
  run(store.create_voucher(2, voucher(10)));

  EXPECT_EQ(run(store.write_orders({order(100, 1, 1), order(101, 2, 1), order(102, 1, 2)})), 3u);
  EXPECT_EQ(stock_left(store, 1), 8);
  EXPECT_EQ(stock_left(store, 2), 9);

  // The same batch again, the same id again, the same user and voucher under another id, and a
  // duplicate inside one batch: only the one new order goes in.
  EXPECT_EQ(run(store.write_orders({order(100, 1, 1), order(101, 2, 1), order(102, 1, 2)})), 0u);
  EXPECT_EQ(run(store.write_orders({order(100, 1, 1)})), 0u);
  EXPECT_EQ(run(store.write_orders({order(200, 1, 1)})), 0u);
  EXPECT_EQ(run(store.write_orders({order(201, 3, 1), order(202, 3, 1)})), 1u);
  EXPECT_EQ(stock_left(store, 1), 7);
  EXPECT_EQ(stock_left(store, 2), 9);
  EXPECT_FALSE(run(store.find_order(200)));
  EXPECT_FALSE(run(store.find_order(202)));

  auto stored = run(store.find_order(201));
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->user_id, 3u);
  EXPECT_EQ(stored->voucher_id, 1u);
  EXPECT_EQ(stored->created_at, kBegin + microseconds(201));
  EXPECT_EQ(stored->status, OrderStatus::confirmed);
}

TEST(SqliteStore, RefusesAnIdStoredForAnotherOrder) {
  TempDir dir;
  SqliteDatabase db(options(dir));
  SqliteSaleStore store(db);
  run(store.create_voucher(1, voucher(10)));
  EXPECT_EQ(run(store.write_orders({order(100, 1, 1)})), 1u);
  try {
    run(store.write_orders({order(101, 2, 1), order(100, 9, 1)}));
    FAIL() << "an order under another order's id was taken for stored";
  } catch (const SqliteError& e) {
    EXPECT_TRUE(e.is_constraint());
    EXPECT_NE(std::string(e.what()).find("order id 100 is stored for user 1 voucher 1"),
              std::string::npos);
  }
  EXPECT_EQ(run(store.find_order(100))->user_id, 1u);
  EXPECT_FALSE(run(store.find_order(101)));  // the batch is refused whole
  EXPECT_EQ(stock_left(store, 1), 9);
  EXPECT_EQ(run(store.write_orders({order(100, 1, 1)})), 0u);  // the same order: a no-op
}

TEST(SqliteStore, RefusesAWholeBatchThatWouldBreakTheRules) {
  TempDir dir;
  SqliteDatabase db(options(dir));
  SqliteSaleStore store(db);
  run(store.create_voucher(1, voucher(2)));

  // A missing voucher: refused as a whole, the good order of the batch included.
  EXPECT_THROW(run(store.write_orders({order(10, 1, 1), order(11, 1, 999)})), SqliteError);
  // Beyond the stock: stock_left would go below zero.
  EXPECT_THROW(run(store.write_orders({order(12, 1, 1), order(13, 2, 1), order(14, 3, 1)})),
               SqliteError);
  EXPECT_FALSE(run(store.find_order(10)));
  EXPECT_FALSE(run(store.find_order(12)));
  EXPECT_EQ(stock_left(store, 1), 2);
  // A refused write does not spoil the next ones.
  EXPECT_EQ(run(store.write_orders({order(15, 1, 1), order(16, 2, 1)})), 2u);
  EXPECT_EQ(stock_left(store, 1), 0);
}

namespace {

asio::awaitable<void> write_one(SqliteSaleStore* store, Order o, std::atomic<int>* stored,
                                std::atomic<int>* failed) {
  try {
    std::vector<Order> batch{o};  // named: GCC 12 and braced temporaries in co_await
    auto n = co_await store->write_orders(std::move(batch));
    stored->fetch_add(static_cast<int>(n));
  } catch (const InfraError&) {
    failed->fetch_add(1);
  }
}

}  // namespace

TEST(SqliteStore, GroupCommitsManyConcurrentWrites) {
  TempDir dir;
  SqliteDatabase db(options(dir));
  SqliteSaleStore store(db);
  run(store.create_voucher(1, voucher(10'000)));
  auto before = db.writer_stats();

  constexpr int kWrites = 1'000;
  std::atomic<int> stored{0};
  std::atomic<int> failed{0};
  asio::io_context io1;
  asio::io_context io2;
  for (int i = 0; i < kWrites; ++i) {
    auto id = static_cast<std::uint64_t>(1'000 + i);
    asio::co_spawn(i % 2 == 0 ? io1 : io2, write_one(&store, order(id, id, 1), &stored, &failed),
                   asio::detached);
  }
  std::thread t1([&] { io1.run(); });
  std::thread t2([&] { io2.run(); });
  t1.join();
  t2.join();

  EXPECT_EQ(stored, kWrites);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(stock_left(store, 1), 10'000 - kWrites);
  auto views = store.store_views_now();
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].orders.size(), static_cast<std::size_t>(kWrites));
  auto after = db.writer_stats();
  EXPECT_EQ(after.writes - before.writes, static_cast<std::uint64_t>(kWrites));
  // The point of the group commit: far fewer transactions (fsyncs) than writes.
  EXPECT_LT(after.commits - before.commits, static_cast<std::uint64_t>(kWrites));
  std::cout << "1000 writes in " << after.commits - before.commits << " commits\n";
}

TEST(SqliteStore, ReopenedStoreKeepsEverything) {
  TempDir dir;
  {
    SqliteDatabase db(options(dir));
    SqliteSaleStore store(db);
    run(store.create_voucher(1, voucher(5)));
    run(store.write_orders({order(100, 1, 1), order(101, 2, 1)}));
  }
  SqliteDatabase db(options(dir));
  SqliteSaleStore store(db);
  EXPECT_EQ(stock_left(store, 1), 3);
  EXPECT_EQ(run(store.find_order(101)).value().user_id, 2u);
  auto views = store.store_views_now();
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].voucher_id, 1u);
  EXPECT_EQ(views[0].stock_total, 5);
  EXPECT_EQ(views[0].stock_left, 3);
  EXPECT_EQ(views[0].orders, (std::map<std::uint64_t, std::uint64_t>{{1, 100}, {2, 101}}));
  EXPECT_EQ(store.max_id_now(), 101u);
  EXPECT_EQ(run(store.max_id()), 101u);
}

TEST(SqliteStore, MaxIdCoversEveryIdWritten) {
  TempDir dir;
  SqliteDatabase db(options(dir));
  SqliteSaleStore store(db);
  EXPECT_EQ(store.max_id_now(), 0u);
  run(store.create_voucher(500, voucher(5)));
  EXPECT_EQ(store.max_id_now(), 500u);
  run(store.write_orders({order(400, 1, 500)}));
  EXPECT_EQ(store.max_id_now(), 500u);
  run(store.write_orders({order(900, 2, 500)}));
  EXPECT_EQ(store.max_id_now(), 900u);
  // A replayed order that is skipped still raises the mark: its id was handed out.
  run(store.write_orders({order(950, 2, 500)}));
  EXPECT_EQ(store.max_id_now(), 950u);
}

TEST(SqliteStore, RefusesACorruptFileAndLeavesItAsItWas) {
  TempDir dir;
  auto file = dir.path() / "seckill.db";
  std::string garbage;
  for (int i = 0; i < 8192; ++i)
    garbage.push_back(static_cast<char>((i * 131 + 7) % 251));
  {
    std::ofstream out(file, std::ios::binary);
    out << garbage;
  }
  auto error = open_error(options(dir));
  EXPECT_NE(error.find(file.string()), std::string::npos) << error;
  EXPECT_NE(error.find("not a database"), std::string::npos) << error;
  EXPECT_TRUE(read_file(file) == garbage) << "the file was changed";
}

TEST(SqliteStore, RefusesAnotherProgramsDatabase) {
  TempDir dir;
  auto file = dir.path() / "seckill.db";
  {
    auto c = SqliteConnection::open(file, true);
    c.exec_script("create table photos (id integer primary key)");
  }
  auto before = read_file(file);
  auto error = open_error(options(dir));
  EXPECT_NE(error.find(file.string()), std::string::npos) << error;
  EXPECT_NE(error.find("no seckill schema"), std::string::npos) << error;
  EXPECT_TRUE(read_file(file) == before) << "the file was changed";
}

TEST(SqliteStore, RefusesADirectoryItCannotCreate) {
  TempDir dir;
  { std::ofstream(dir.path() / "file") << "x"; }
  auto below_a_file = dir.path() / "file" / "sub";
  auto error = open_error({.data_dir = below_a_file});
  EXPECT_NE(error.find(below_a_file.string()), std::string::npos) << error;
}

TEST(SqliteStore, RefusesADirectoryItCannotWrite) {
  // A directory of procfs: nobody, root included (CI runs as root), can create a file in it.
  const std::filesystem::path proc = "/proc/self/fdinfo";
  ASSERT_TRUE(std::filesystem::is_directory(proc));
  auto error = open_error({.data_dir = proc});
  EXPECT_NE(error.find(proc.string()), std::string::npos) << error;
  EXPECT_FALSE(std::filesystem::exists(proc / "seckill.db"));
}

TEST(SqliteStore, RefusesADirectoryWithModeZeroUnlessRoot) {
  // Root writes in a directory with mode 000 (CAP_DAC_OVERRIDE): this case needs another user;
  // RefusesADirectoryItCannotWrite covers root.
  if (::geteuid() == 0) GTEST_SKIP() << "root writes in a directory with mode 000";
  TempDir dir;
  auto locked = dir.path() / "locked";
  std::filesystem::create_directory(locked);
  std::filesystem::permissions(locked, std::filesystem::perms::none);
  auto error = open_error({.data_dir = locked});
  std::filesystem::permissions(locked, std::filesystem::perms::owner_all);
  EXPECT_NE(error.find(locked.string()), std::string::npos) << error;
  EXPECT_FALSE(std::filesystem::exists(locked / "seckill.db"));
}

TEST(SqliteStore, OneProcessAtATime) {
  TempDir dir;
  SqliteDatabase db(options(dir));
  auto error = open_error(options(dir));
  EXPECT_NE(error.find("in use"), std::string::npos) << error;
  EXPECT_NE(error.find(dir.path().string()), std::string::npos) << error;
}

TEST(SqliteStore, CallsAfterStopFailWithIoError) {
  TempDir dir;
  SqliteDatabase db(options(dir));
  SqliteSaleStore store(db);
  run(store.create_voucher(1, voucher(5)));
  db.stop();
  EXPECT_THROW(run(store.write_orders({order(10, 1, 1)})), IoError);
  EXPECT_THROW(run(store.find_voucher(1)), IoError);
}

namespace {

std::vector<std::uint64_t> ids_of(const auto& items) {
  std::vector<std::uint64_t> out;
  for (const auto& i : items)
    out.push_back(i.id);
  return out;
}

}  // namespace

TEST(SqliteSaleStore, PagesVouchersByStatusNewestFirstAndEndsASale) {
  TempDir dir;
  SqliteDatabase db(options(dir));
  SqliteSaleStore store(db);
  auto window = [](SysTime begin) {
    return NewVoucher{.title = "t", .stock = 5, .begin_at = begin, .end_at = begin + 1h};
  };
  const auto now = kBegin + 30min;
  run(store.create_voucher(1, window(kBegin - 2h)));  // ended
  run(store.create_voucher(2, window(kBegin - 2h)));
  run(store.create_voucher(3, window(kBegin)));  // live
  run(store.create_voucher(4, window(kBegin)));
  run(store.create_voucher(5, window(kBegin + 2h)));  // upcoming
  run(store.create_voucher(6, window(kBegin + 2h)));
  using S = VoucherStatus;
  auto page = [&](std::optional<S> s, std::optional<std::uint64_t> before, int limit) {
    sale::VoucherFilter f{.status = s, .now = now, .before_id = before, .limit = limit};
    return ids_of(run(store.find_vouchers(f)));
  };
  EXPECT_EQ(page(S::live, {}, 10), (std::vector<std::uint64_t>{4, 3}));
  EXPECT_EQ(page(S::upcoming, {}, 10), (std::vector<std::uint64_t>{6, 5}));
  EXPECT_EQ(page(S::ended, {}, 10), (std::vector<std::uint64_t>{2, 1}));
  EXPECT_EQ(page({}, {}, 4), (std::vector<std::uint64_t>{6, 5, 4, 3}));
  EXPECT_EQ(page({}, 3, 4), (std::vector<std::uint64_t>{2, 1}));

  auto ended = run(store.end_voucher(4, now));
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->end_at, now);
  EXPECT_EQ(ended->begin_at, kBegin);
  auto early = run(store.end_voucher(5, now));
  ASSERT_TRUE(early);
  EXPECT_EQ(early->begin_at, now);
  EXPECT_EQ(early->end_at, now);
  EXPECT_EQ(run(store.end_voucher(4, now + 1min))->end_at, now) << "never pushed later";
  EXPECT_FALSE(run(store.end_voucher(99, now)));
  EXPECT_EQ(page(S::live, {}, 10), (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(page(S::upcoming, {}, 10), (std::vector<std::uint64_t>{6}));
  EXPECT_EQ(page(S::ended, {}, 10), (std::vector<std::uint64_t>{5, 4, 2, 1}));
}

TEST(SqliteSaleStore, OrderPagesStayStableWhileOrdersArrive) {
  TempDir dir;
  SqliteDatabase db(options(dir));
  SqliteSaleStore store(db);
  run(store.create_voucher(3, voucher(100)));
  run(store.create_voucher(4, voucher(100)));
  std::vector<Order> batch;
  for (std::uint64_t i = 0; i < 10; ++i)
    batch.push_back(order(10 + i, 100 + i, 3));
  batch.push_back(order(20, 100, 4));
  run(store.write_orders(batch));
  auto page = [&](std::optional<std::uint64_t> voucher_id, std::optional<std::uint64_t> user,
                  std::optional<std::uint64_t> before, int limit) {
    sale::OrderFilter f{
        .voucher_id = voucher_id, .user_id = user, .before_id = before, .limit = limit};
    return run(store.find_orders(f));
  };
  auto first = page(3, {}, {}, 4);
  EXPECT_EQ(ids_of(first), (std::vector<std::uint64_t>{19, 18, 17, 16}));
  EXPECT_EQ(first[0].user_id, 109u);
  EXPECT_EQ(first[0].created_at, kBegin + microseconds(19));
  EXPECT_EQ(first[0].status, OrderStatus::confirmed);
  run(store.write_orders({order(30, 200, 3), order(31, 201, 3)}));
  EXPECT_EQ(ids_of(page(3, {}, 16, 4)), (std::vector<std::uint64_t>{15, 14, 13, 12}));
  EXPECT_EQ(ids_of(page(3, {}, 12, 4)), (std::vector<std::uint64_t>{11, 10}));
  EXPECT_EQ(ids_of(page(3, {}, {}, 2)), (std::vector<std::uint64_t>{31, 30}));
  EXPECT_EQ(ids_of(page({}, 100, {}, 10)), (std::vector<std::uint64_t>{20, 10}));
  EXPECT_EQ(ids_of(page({}, 100, 20, 10)), (std::vector<std::uint64_t>{10}));
  EXPECT_EQ(ids_of(page(3, 100, {}, 10)), (std::vector<std::uint64_t>{10}));
  EXPECT_TRUE(page({}, 999, {}, 10).empty());
  EXPECT_TRUE(page(4, 101, {}, 10).empty());
}
