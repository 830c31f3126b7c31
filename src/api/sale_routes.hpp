#pragma once
// The flash sale's HTTP routes (CONTRACT.md, "Vouchers and orders"):
//
//   POST /api/v1/vouchers               admin           201 the voucher
//   GET  /api/v1/vouchers/{id}          any token       200 the voucher, live stock_left
//   POST /api/v1/vouchers/{id}/orders   any token       201 {"order_id", "status"}
//   GET  /api/v1/orders/{id}            its user, admin 200 the order (404 for anyone else)
//   GET  /api/v1/vouchers?status&limit&after      any token  200 {"vouchers", "next"}
//   GET  /api/v1/vouchers/{id}/orders?limit&after admin      200 {"orders", "next"}, pending too
//   GET  /api/v1/orders?limit&after               any token  200 the caller's own orders
//   POST /api/v1/vouchers/{id}/end                admin      200 the voucher, end_at now (an
//                                                            ended sale: 200 unchanged)
//
// Listings are newest first; `next` is an opaque cursor (api/page_cursor.hpp) or null on the
// last page.
//
// The user of an order is always the token's subject, never a field of the request.

#include "http/router.hpp"
#include "sale/sale_service.hpp"

namespace seckill::api {

/// `sale` must outlive the router.
void add_sale_routes(http::Router& router, sale::SaleService& sale);

}  // namespace seckill::api
