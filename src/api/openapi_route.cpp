#include "api/openapi_route.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include "seckill_api_embedded.hpp"

namespace seckill::api {

namespace bhttp = boost::beast::http;

std::string_view openapi_document() {
  return documents::openapi;
}

void add_openapi_route(http::Router& router) {
  router.add(
      bhttp::verb::get, "/api/v1/openapi.json",
      [](http::RequestContext&) -> boost::asio::awaitable<http::HandlerResult> {
        http::Response response = http::Response::from_static(bhttp::status::ok, documents::openapi,
                                                              "application/json; charset=utf-8");
        // It changes only with the binary: a client or gateway may keep it a while, and sees
        // an upgrade within the hour.
        response.set_header("Cache-Control", "public, max-age=3600");
        co_return response;
      },
      http::Access::anyone);
}

}  // namespace seckill::api
