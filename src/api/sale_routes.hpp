#pragma once
// The flash sale's HTTP routes (CONTRACT.md, "Vouchers and orders"):
//
//   POST /api/v1/vouchers               admin           201 the voucher
//   GET  /api/v1/vouchers/{id}          any token       200 the voucher, live stock_left
//   POST /api/v1/vouchers/{id}/orders   any token       201 {"order_id", "status"}
//   GET  /api/v1/orders/{id}            its user, admin 200 the order (404 for anyone else)
//
// The user of an order is always the token's subject, never a field of the request.

#include "http/router.hpp"
#include "sale/sale_service.hpp"

namespace seckill::api {

/// `sale` must outlive the router.
void add_sale_routes(http::Router& router, sale::SaleService& sale);

}  // namespace seckill::api
