#include "api/sale_routes.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/json_fields.hpp"
#include "api/page_cursor.hpp"
#include "api/path_id.hpp"
#include "http/json_body.hpp"
#include "http/json_response.hpp"
#include "http/json_text.hpp"

namespace seckill::api {

namespace asio = boost::asio;
namespace json = boost::json;
using boost::beast::http::status;
using boost::beast::http::verb;
using http::HandlerResult;
using http::RequestContext;

namespace {

json::object voucher_json(const Voucher& v) {
  return json::object{{"id", id_string(v.id)},
                      {"title", v.title},
                      {"stock", v.stock_total},
                      {"stock_left", v.stock_left},
                      {"begin_at", format_rfc3339(v.begin_at)},
                      {"end_at", format_rfc3339(v.end_at)}};
}

json::object order_json(const Order& o) {
  return json::object{{"id", id_string(o.id)},
                      {"user_id", id_string(o.user_id)},
                      {"voucher_id", id_string(o.voucher_id)},
                      {"status", to_string(o.status)},
                      {"created_at", format_rfc3339(o.created_at)}};
}

asio::awaitable<HandlerResult> create_voucher(sale::SaleService& sale, RequestContext& ctx) {
  auto body = http::parse_json_object(ctx.body());
  if (!body) co_return std::unexpected(body.error());
  auto title = string_field(*body, "title");
  if (!title) co_return std::unexpected(title.error());
  auto stock = integer_field(*body, "stock", 1, kMaxVoucherStock);
  if (!stock) co_return std::unexpected(stock.error());
  auto begin_at = time_field(*body, "begin_at");
  if (!begin_at) co_return std::unexpected(begin_at.error());
  auto end_at = time_field(*body, "end_at");
  if (!end_at) co_return std::unexpected(end_at.error());
  // A named variable, not a braced temporary in the co_await: GCC 12 destroys an aggregate
  // temporary of a co_await expression twice (see CONTRIBUTING.md).
  NewVoucher request{std::move(*title), *stock, *begin_at, *end_at};
  auto created = co_await sale.create_voucher(std::move(request));
  if (!created) co_return std::unexpected(created.error());
  co_return http::json_response(status::created, voucher_json(*created));
}

asio::awaitable<HandlerResult> get_voucher(sale::SaleService& sale, RequestContext& ctx) {
  auto id = path_id(ctx, "id", "voucher");
  if (!id) co_return std::unexpected(id.error());
  auto voucher = co_await sale.get_voucher(*id);
  if (!voucher) co_return std::unexpected(voucher.error());
  co_return http::json_response(status::ok, voucher_json(*voucher));
}

asio::awaitable<HandlerResult> take_order(sale::SaleService& sale, RequestContext& ctx) {
  auto caller = ctx.principal();
  if (!caller) co_return std::unexpected(caller.error());
  auto id = path_id(ctx, "id", "voucher");
  if (!id) co_return std::unexpected(id.error());
  const std::uint64_t voucher_id = *id;
  auto taken = co_await sale.take_order(caller->user_id, voucher_id);
  sale.outcomes().record(voucher_id, taken ? std::nullopt : std::optional(taken.error().code));
  if (!taken) co_return std::unexpected(taken.error());
  // {"order_id":"ID","status":"..."}, written directly: every purchase answers this.
  std::string body = R"({"order_id":)";
  http::append_json_string(body, id_string(taken->order_id));
  body.append(R"(,"status":)");
  http::append_json_string(body, to_string(taken->status));
  body.push_back('}');
  co_return http::Response(status::created, std::move(body));
}

asio::awaitable<HandlerResult> get_order(sale::SaleService& sale, RequestContext& ctx) {
  auto caller = ctx.principal();
  if (!caller) co_return std::unexpected(caller.error());
  auto id = path_id(ctx, "id", "order");
  if (!id) co_return std::unexpected(id.error());
  auto order = co_await sale.get_order(*id, caller->user_id, caller->role == auth::Role::admin);
  if (!order) co_return std::unexpected(order.error());
  co_return http::json_response(status::ok, order_json(*order));
}

json::value cursor_json(CursorKind kind, std::optional<std::uint64_t> next) {
  return next ? json::value(format_page_cursor(kind, *next)) : json::value(nullptr);
}

json::object order_page_json(const sale::OrderPage& page) {
  json::array list;
  list.reserve(page.orders.size());
  for (const auto& o : page.orders)
    list.push_back(order_json(o));
  return json::object{{"orders", std::move(list)},
                      {"next", cursor_json(CursorKind::orders, page.next)}};
}

asio::awaitable<HandlerResult> list_vouchers(sale::SaleService& sale, RequestContext& ctx) {
  std::optional<VoucherStatus> wanted;
  if (auto text = ctx.query("status")) {
    wanted = parse_voucher_status(*text);
    if (!wanted)
      co_return http::fail(ErrorCode::bad_request, "status must be upcoming, live or ended");
  }
  auto page = page_request(ctx, CursorKind::vouchers);
  if (!page) co_return std::unexpected(page.error());
  auto found = co_await sale.list_vouchers(wanted, page->after, page->limit);
  json::array list;
  list.reserve(found.vouchers.size());
  for (const auto& v : found.vouchers)
    list.push_back(voucher_json(v));
  co_return http::json_response(
      status::ok, json::object{{"vouchers", std::move(list)},
                               {"next", cursor_json(CursorKind::vouchers, found.next)}});
}

asio::awaitable<HandlerResult> voucher_orders(sale::SaleService& sale, RequestContext& ctx) {
  auto id = path_id(ctx, "id", "voucher");
  if (!id) co_return std::unexpected(id.error());
  auto page = page_request(ctx, CursorKind::orders);
  if (!page) co_return std::unexpected(page.error());
  auto found = co_await sale.voucher_orders(*id, page->after, page->limit);
  if (!found) co_return std::unexpected(found.error());
  co_return http::json_response(status::ok, order_page_json(*found));
}

asio::awaitable<HandlerResult> own_orders(sale::SaleService& sale, RequestContext& ctx) {
  auto caller = ctx.principal();
  if (!caller) co_return std::unexpected(caller.error());
  auto page = page_request(ctx, CursorKind::orders);
  if (!page) co_return std::unexpected(page.error());
  auto found = co_await sale.user_orders(caller->user_id, page->after, page->limit);
  co_return http::json_response(status::ok, order_page_json(found));
}

asio::awaitable<HandlerResult> end_voucher(sale::SaleService& sale, RequestContext& ctx) {
  auto id = path_id(ctx, "id", "voucher");
  if (!id) co_return std::unexpected(id.error());
  auto ended = co_await sale.end_voucher(*id);
  if (!ended) co_return std::unexpected(ended.error());
  co_return http::json_response(status::ok, voucher_json(*ended));
}

}  // namespace

void add_sale_routes(http::Router& router, sale::SaleService& sale) {
  using http::Access;
  router.add(
      verb::post, "/api/v1/vouchers",
      [&sale](RequestContext& ctx) { return create_voucher(sale, ctx); }, Access::admin);
  router.add(
      verb::get, "/api/v1/vouchers/{id:u64}",
      [&sale](RequestContext& ctx) { return get_voucher(sale, ctx); }, Access::authenticated);
  router.add(
      verb::post, "/api/v1/vouchers/{id:u64}/orders",
      [&sale](RequestContext& ctx) { return take_order(sale, ctx); }, Access::authenticated);
  router.add(
      verb::get, "/api/v1/orders/{id:u64}",
      [&sale](RequestContext& ctx) { return get_order(sale, ctx); }, Access::authenticated);
  router.add(
      verb::get, "/api/v1/vouchers",
      [&sale](RequestContext& ctx) { return list_vouchers(sale, ctx); }, Access::authenticated);
  router.add(
      verb::get, "/api/v1/vouchers/{id:u64}/orders",
      [&sale](RequestContext& ctx) { return voucher_orders(sale, ctx); }, Access::admin);
  router.add(
      verb::get, "/api/v1/orders", [&sale](RequestContext& ctx) { return own_orders(sale, ctx); },
      Access::authenticated);
  router.add(
      verb::post, "/api/v1/vouchers/{id:u64}/end",
      [&sale](RequestContext& ctx) { return end_voucher(sale, ctx); }, Access::admin);
}

}  // namespace seckill::api
