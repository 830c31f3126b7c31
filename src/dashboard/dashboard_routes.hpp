#pragma once
// The live dashboard's page (GET /) and its files, compiled into the binary from index.html,
// style.css and app.js beside this header (cmake/EmbedText.cmake). No CDN, nothing fetched
// from elsewhere: the page talks only to this service (GET /api/v1/events, the reminder API).

#include "http/router.hpp"

namespace seckill::dashboard {

/// Adds, for anyone (the page holds no data; the data needs a token):
///   GET /                       the page (text/html)
///   GET /dashboard/style.css    GET /dashboard/app.js
void add_dashboard_routes(http::Router& router);

}  // namespace seckill::dashboard
