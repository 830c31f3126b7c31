#include "store/sqlite/sqlite_sale_store.hpp"

#include "store/sqlite/sale_tables.hpp"

namespace seckill::store::sqlite {

boost::asio::awaitable<Voucher> SqliteSaleStore::create_voucher(std::uint64_t id, NewVoucher v) {
  auto job = [id, v = std::move(v)](SqliteConnection& c) {
    return insert_voucher(c, id, v, std::chrono::system_clock::now());
  };
  co_return co_await db_.write(std::move(job));
}

boost::asio::awaitable<std::optional<Voucher>> SqliteSaleStore::find_voucher(std::uint64_t id) {
  auto job = [id](SqliteConnection& c) { return select_voucher(c, id); };
  co_return co_await db_.read(std::move(job));
}

boost::asio::awaitable<std::vector<Voucher>> SqliteSaleStore::list_vouchers() {
  auto job = [](SqliteConnection& c) { return select_vouchers(c); };
  co_return co_await db_.read(std::move(job));
}

boost::asio::awaitable<std::vector<Voucher>> SqliteSaleStore::find_vouchers(sale::VoucherFilter f) {
  auto job = [f](SqliteConnection& c) { return select_voucher_page(c, f); };
  co_return co_await db_.read(std::move(job));
}

boost::asio::awaitable<std::optional<Voucher>> SqliteSaleStore::end_voucher(std::uint64_t id,
                                                                            SysTime now) {
  auto job = [id, now](SqliteConnection& c) { return sqlite::end_voucher(c, id, now); };
  co_return co_await db_.write(std::move(job));
}

boost::asio::awaitable<std::size_t> SqliteSaleStore::write_orders(std::vector<Order> orders) {
  if (orders.empty()) co_return 0;
  auto job = [orders = std::move(orders)](SqliteConnection& c) {
    return static_cast<std::size_t>(insert_orders(c, orders));
  };
  co_return co_await db_.write(std::move(job));
}

boost::asio::awaitable<std::optional<Order>> SqliteSaleStore::find_order(std::uint64_t id) {
  auto job = [id](SqliteConnection& c) { return select_order(c, id); };
  co_return co_await db_.read(std::move(job));
}

boost::asio::awaitable<std::vector<Order>> SqliteSaleStore::find_orders(sale::OrderFilter f) {
  auto job = [f](SqliteConnection& c) { return select_order_page(c, f); };
  co_return co_await db_.read(std::move(job));
}

boost::asio::awaitable<std::vector<sale::StoreView>> SqliteSaleStore::store_views() {
  auto job = [](SqliteConnection& c) { return select_store_views(c); };
  co_return co_await db_.read(std::move(job));
}

boost::asio::awaitable<std::uint64_t> SqliteSaleStore::max_id() {
  auto job = [](SqliteConnection& c) { return select_max_id(c); };
  co_return co_await db_.read(std::move(job));
}

boost::asio::awaitable<std::optional<sale::StoreView>> SqliteSaleStore::store_view(
    std::uint64_t voucher_id) {
  for (auto& view : co_await store_views()) {
    if (view.voucher_id == voucher_id) co_return std::move(view);
  }
  co_return std::nullopt;
}

std::vector<sale::StoreView> SqliteSaleStore::store_views_now() {
  return db_.read_now([](SqliteConnection& c) { return select_store_views(c); });
}

std::uint64_t SqliteSaleStore::max_id_now() {
  return db_.read_now([](SqliteConnection& c) { return select_max_id(c); });
}

}  // namespace seckill::store::sqlite
