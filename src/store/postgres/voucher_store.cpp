#include "store/postgres/voucher_store.hpp"

#include "store/postgres/pg_time.hpp"

namespace seckill::store::postgres {

namespace {

#define SECKILL_VOUCHER_COLUMNS                                                                \
  "id, title, stock_total, stock_left, " SECKILL_PG_MICROS("begin_at") ", " SECKILL_PG_MICROS( \
      "end_at") ", " SECKILL_PG_MICROS("created_at")

constexpr PgStatement kInsertVoucher{
    "voucher_insert",
    "insert into vouchers (id, title, stock_total, stock_left, begin_at, end_at) "
    "values ($1, $2, $3, $3, $4, $5) returning " SECKILL_VOUCHER_COLUMNS};
constexpr PgStatement kSelectVoucher{
    "voucher_select", "select " SECKILL_VOUCHER_COLUMNS " from vouchers where id = $1"};
constexpr PgStatement kSelectVouchers{
    "voucher_select_all", "select " SECKILL_VOUCHER_COLUMNS " from vouchers order by id"};
// $2: 0 every voucher, 1 upcoming, 2 live, 3 ended (VoucherStatus + 1), judged at $3 as
// core/voucher.hpp's sale_window does. By the primary key, descending, from below $1.
constexpr PgStatement kSelectVoucherPage{
    "voucher_select_page",
    "select " SECKILL_VOUCHER_COLUMNS
    " from vouchers where ($1::bigint is null or id < $1) and ($2::int = 0"
    " or ($2 = 1 and begin_at > $3) or ($2 = 2 and begin_at <= $3 and end_at > $3)"
    " or ($2 = 3 and begin_at <= $3 and end_at <= $3)) order by id desc limit $4"};
constexpr PgStatement kEndVoucher{
    "voucher_end",
    "update vouchers set end_at = least(end_at, $2), begin_at = least(begin_at, $2) "
    "where id = $1 returning " SECKILL_VOUCHER_COLUMNS};
constexpr PgStatement kStockAudit{
    "voucher_stock_audit",
    "select v.id, v.stock_total, v.stock_left, coalesce(o.n, 0) from vouchers v "
    "left join (select voucher_id, count(*) as n from orders group by voucher_id) o "
    "on o.voucher_id = v.id order by v.id"};

Voucher read_voucher(const PgResult& r, int row) {
  Voucher v;
  v.id = r.id(row, 0);
  v.title = std::string(r.text(row, 1));
  v.stock_total = r.int64(row, 2);
  v.stock_left = r.int64(row, 3);
  v.begin_at = r.time(row, 4);
  v.end_at = r.time(row, 5);
  v.created_at = r.time(row, 6);
  return v;
}

}  // namespace

Voucher insert_voucher(PgConnection& c, std::uint64_t id, const NewVoucher& v) {
  auto r = c.exec(kInsertVoucher, {id, std::string_view(v.title), v.stock, v.begin_at, v.end_at});
  return read_voucher(r, 0);
}

std::optional<Voucher> select_voucher(PgConnection& c, std::uint64_t id) {
  auto r = c.exec(kSelectVoucher, {id});
  if (r.rows() == 0) return std::nullopt;
  return read_voucher(r, 0);
}

std::vector<Voucher> select_vouchers(PgConnection& c) {
  auto r = c.exec(kSelectVouchers);
  std::vector<Voucher> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(read_voucher(r, i));
  return out;
}

std::vector<Voucher> select_voucher_page(PgConnection& c, const sale::VoucherFilter& f) {
  const int status = f.status ? static_cast<int>(*f.status) + 1 : 0;
  auto r = c.exec(kSelectVoucherPage, {f.before_id, status, f.now, f.limit});
  std::vector<Voucher> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(read_voucher(r, i));
  return out;
}

std::optional<Voucher> end_voucher(PgConnection& c, std::uint64_t id, SysTime now) {
  auto r = c.exec(kEndVoucher, {id, now});
  if (r.rows() == 0) return std::nullopt;
  return read_voucher(r, 0);
}

std::vector<StockAudit> select_stock_audit(PgConnection& c) {
  auto r = c.exec(kStockAudit);
  std::vector<StockAudit> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({r.id(i, 0), r.int64(i, 1), r.int64(i, 2), r.int64(i, 3)});
  }
  return out;
}

boost::asio::awaitable<Voucher> PgVoucherStore::create_voucher(std::uint64_t id, NewVoucher v) {
  auto job = [id, v = std::move(v)](PgConnection& c) { return insert_voucher(c, id, v); };
  co_return co_await pool_.run(std::move(job));
}

boost::asio::awaitable<std::optional<Voucher>> PgVoucherStore::find_voucher(std::uint64_t id) {
  auto job = [id](PgConnection& c) { return select_voucher(c, id); };
  co_return co_await pool_.run(std::move(job));
}

boost::asio::awaitable<std::vector<Voucher>> PgVoucherStore::list_vouchers() {
  auto job = [](PgConnection& c) { return select_vouchers(c); };
  co_return co_await pool_.run(std::move(job));
}

boost::asio::awaitable<std::vector<Voucher>> PgVoucherStore::find_vouchers(sale::VoucherFilter f) {
  auto job = [f](PgConnection& c) { return select_voucher_page(c, f); };
  co_return co_await pool_.run(std::move(job));
}

boost::asio::awaitable<std::optional<Voucher>> PgVoucherStore::end_voucher(std::uint64_t id,
                                                                           SysTime now) {
  auto job = [id, now](PgConnection& c) { return postgres::end_voucher(c, id, now); };
  co_return co_await pool_.run(std::move(job));
}

boost::asio::awaitable<std::vector<StockAudit>> PgVoucherStore::stock_audit() {
  auto job = [](PgConnection& c) { return select_stock_audit(c); };
  co_return co_await pool_.run(std::move(job));
}

}  // namespace seckill::store::postgres
