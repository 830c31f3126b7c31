#pragma once
// GET /api/v1/openapi.json (CONTRACT.md, "Vouchers and orders"): the OpenAPI 3.1 document of
// every route, kept as openapi.json beside this header and compiled in (cmake/EmbedText.cmake).
// tests/api/openapi_test.cpp holds it to the routes `serve` registers; tests/browser/
// openapi_test.mjs validates real answers against its schemas.

#include <string_view>

#include "http/router.hpp"

namespace seckill::api {

/// The document, as served.
std::string_view openapi_document();

/// Adds GET /api/v1/openapi.json for anyone (it describes the API; it holds no data).
void add_openapi_route(http::Router& router);

}  // namespace seckill::api
