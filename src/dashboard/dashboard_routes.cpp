#include "dashboard/dashboard_routes.hpp"

#include "seckill_dashboard_embedded.hpp"

namespace seckill::dashboard {
namespace {

namespace bhttp = boost::beast::http;

void add_file(http::Router& router, std::string_view path, std::string_view body,
              std::string_view content_type) {
  router.add(
      bhttp::verb::get, path,
      [body, content_type](http::RequestContext&) -> boost::asio::awaitable<http::HandlerResult> {
        http::Response response =
            http::Response::from_static(bhttp::status::ok, body, content_type);
        // The files change only with the binary; a short cache keeps reloads cheap and upgrades
        // visible.
        response.set_header("Cache-Control", "max-age=60");
        // No inline script or style (app.js styles through the CSSOM, which CSP allows), and
        // no framing: the Ack/Resolve buttons must not be clickjacked. The per-response
        // nosniff, X-Frame-Options and Referrer-Policy headers come from src/http for every answer.
        response.set_header("Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                            "object-src 'none'; base-uri 'none'; form-action 'self'; "
                            "frame-ancestors 'none'");
        co_return response;
      },
      http::Access::anyone);
}

}  // namespace

void add_dashboard_routes(http::Router& router) {
  add_file(router, "/", assets::index, "text/html; charset=utf-8");
  add_file(router, "/dashboard/style.css", assets::style, "text/css; charset=utf-8");
  add_file(router, "/dashboard/app.js", assets::app, "text/javascript; charset=utf-8");
}

}  // namespace seckill::dashboard
