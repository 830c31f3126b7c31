// libFuzzer target: the request path of the server without sockets. Arbitrary bytes are parsed
// as an HTTP request head and body with the server's limits, then routed (with a JSON body
// handler): nothing may crash, and every answer must have a status. Link seckill_http.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/parser.hpp>

#include "http/health.hpp"
#include "http/json_body.hpp"
#include "http/json_response.hpp"
#include "http/limits.hpp"
#include "http/router.hpp"

namespace {

using namespace seckill::http;

const Router& router() {
  static const auto* r = [] {
    static const seckill::auth::TokenVerifier verifier("fuzz secret");
    auto* router = new Router(&verifier);
    add_health_routes(*router, {});
    router->add(
        boost::beast::http::verb::post, "/api/v1/vouchers/{id:u64}/orders/{ticket}",
        [](RequestContext& ctx) -> boost::asio::awaitable<HandlerResult> {
          auto body = parse_json_object(ctx.body());
          if (!body) co_return std::unexpected(body.error());
          co_return json_response(boost::beast::http::status::ok, *body);
        },
        Access::anyone);
    return router;
  }();
  return *r;
}

boost::asio::awaitable<void> route(const Request* request, std::optional<Response>* out) {
  out->emplace(co_await router().handle(*request));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ServerLimits limits;
  boost::beast::http::request_parser<boost::beast::http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_done()) return 0;
  Request request = parser.release();
  boost::asio::io_context io;
  std::optional<Response> response;
  boost::asio::co_spawn(io, route(&request, &response), [](const std::exception_ptr&) {});
  io.run();
  if (!response) __builtin_trap();
  return 0;
}
