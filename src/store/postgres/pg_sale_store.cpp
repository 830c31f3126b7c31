#include "store/postgres/pg_sale_store.hpp"

namespace seckill::store::postgres {

boost::asio::awaitable<Voucher> PgSaleStore::create_voucher(std::uint64_t id, NewVoucher v) {
  co_return co_await vouchers_.create_voucher(id, std::move(v));
}

boost::asio::awaitable<std::optional<Voucher>> PgSaleStore::find_voucher(std::uint64_t id) {
  co_return co_await vouchers_.find_voucher(id);
}

boost::asio::awaitable<std::vector<Voucher>> PgSaleStore::list_vouchers() {
  co_return co_await vouchers_.list_vouchers();
}

boost::asio::awaitable<std::vector<Voucher>> PgSaleStore::find_vouchers(sale::VoucherFilter f) {
  co_return co_await vouchers_.find_vouchers(std::move(f));
}

boost::asio::awaitable<std::optional<Voucher>> PgSaleStore::end_voucher(std::uint64_t id,
                                                                        SysTime now) {
  co_return co_await vouchers_.end_voucher(id, now);
}

boost::asio::awaitable<std::size_t> PgSaleStore::write_orders(std::vector<Order> orders) {
  std::vector<OrderRow> rows;
  rows.reserve(orders.size());
  for (const auto& o : orders)
    rows.push_back({o.id, o.user_id, o.voucher_id, o.created_at});
  auto inserted = co_await orders_.write_orders(std::move(rows));
  co_return static_cast<std::size_t>(inserted);
}

boost::asio::awaitable<std::optional<Order>> PgSaleStore::find_order(std::uint64_t id) {
  co_return co_await orders_.find_order(id);
}

boost::asio::awaitable<std::optional<sale::StoreView>> PgSaleStore::store_view(
    std::uint64_t voucher_id) {
  co_return co_await orders_.store_view(voucher_id);
}

boost::asio::awaitable<std::vector<Order>> PgSaleStore::find_orders(sale::OrderFilter f) {
  co_return co_await orders_.find_orders(std::move(f));
}

}  // namespace seckill::store::postgres
