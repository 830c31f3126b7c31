#include "http/router.hpp"

#include <chrono>
#include <stdexcept>
#include <string>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "auth/token_signer.hpp"
#include "core/infra_error.hpp"
#include "http/http_test_util.hpp"
#include "http/json_response.hpp"

namespace seckill::http {
namespace {

namespace bhttp = boost::beast::http;
using bhttp::verb;
using testing::run_router;
using namespace std::chrono_literals;

constexpr std::string_view kSecret = "router secret";

Request make_request(verb method, std::string_view target, std::string_view auth = {}) {
  Request r(method, target, 11);
  if (!auth.empty()) r.set(bhttp::field::authorization, auth);
  return r;
}

std::string code_of(const Response& r) {
  return std::string(boost::json::parse(r.body()).at("error").at("code").as_string());
}
std::string message_of(const Response& r) {
  return std::string(boost::json::parse(r.body()).at("error").at("message").as_string());
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() : router_(&verifier_) {
    router_.add(
        verb::post, "/api/v1/vouchers/{id:u64}/orders",
        [](RequestContext& ctx) -> boost::asio::awaitable<HandlerResult> {
          co_return json_response(bhttp::status::created,
                                  {{"voucher", std::to_string(ctx.path_u64("id"))},
                                   {"user", std::to_string(ctx.principal()->user_id)}});
        },
        Access::authenticated);
    router_.add(
        verb::get, "/api/v1/vouchers/{id:u64}/orders",
        [](RequestContext&) -> boost::asio::awaitable<HandlerResult> {
          co_return json_response(bhttp::status::ok, {{"list", true}});
        },
        Access::anyone);
    router_.add(
        verb::get, "/api/v1/tickets/{ticket}/reminders",
        [](RequestContext& ctx) -> boost::asio::awaitable<HandlerResult> {
          co_return json_response(bhttp::status::ok,
                                  {{"ticket", ctx.path_string("ticket")},
                                   {"status", ctx.query("status").value_or("-")}});
        },
        Access::anyone);
    router_.add(
        verb::post, "/api/v1/vouchers",
        [](RequestContext&) -> boost::asio::awaitable<HandlerResult> {
          co_return json_response(bhttp::status::created, {{"ok", true}});
        },
        Access::admin);
    router_.add(
        verb::get, "/staff",
        [](RequestContext&) -> boost::asio::awaitable<HandlerResult> {
          co_return json_response(bhttp::status::ok, {{"ok", true}});
        },
        Access::staff);
    router_.add(
        verb::get, "/fail/{what}",
        [](RequestContext& ctx) -> boost::asio::awaitable<HandlerResult> {
          std::string what(ctx.path_string("what"));
          if (what == "sold") co_return fail(ErrorCode::sold_out, "no stock left");
          if (what == "infra") throw IoError("redis 10.0.0.1:6379 refused");
          if (what == "logic") throw std::runtime_error("secret internals");
          if (what == "wrong-param")
            co_return json_response(bhttp::status::ok, {{"id", ctx.path_u64("what")}});
          co_return json_response(bhttp::status::ok, {});
        },
        Access::anyone);
  }

  std::string bearer(std::uint64_t user, auth::Role role) {
    return "Bearer " + signer_.sign(user, role, 1h);
  }

  auth::TokenVerifier verifier_{kSecret};
  auth::TokenSigner signer_{kSecret};
  Router router_;
};

TEST_F(RouterTest, TypedParametersReachTheHandler) {
  Response r = run_router(
      router_, make_request(verb::post, "/api/v1/vouchers/42/orders", bearer(7, auth::Role::user)));
  EXPECT_EQ(r.status(), bhttp::status::created);
  EXPECT_EQ(r.body(), R"({"voucher":"42","user":"7"})");
  Response max =
      run_router(router_, make_request(verb::post, "/api/v1/vouchers/18446744073709551615/orders",
                                       bearer(7, auth::Role::user)));
  EXPECT_EQ(max.status(), bhttp::status::created);
}

TEST_F(RouterTest, StringParameterIsDecodedAndQueryIsParsed) {
  Response r = run_router(
      router_, make_request(verb::get, "/api/v1/tickets/T-1%5F2/reminders?x=1&status=open%20now"));
  EXPECT_EQ(r.status(), bhttp::status::ok);
  EXPECT_EQ(r.body(), R"({"ticket":"T-1_2","status":"open now"})");
  Response none = run_router(router_, make_request(verb::get, "/api/v1/tickets/abc/reminders"));
  EXPECT_EQ(none.body(), R"({"ticket":"abc","status":"-"})");
}

TEST_F(RouterTest, BadU64ParameterIs400NamingIt) {
  for (const char* id : {"abc", "0", "-1", "18446744073709551616", "1.5", "%31x", "+1"}) {
    Response r = run_router(
        router_, make_request(verb::get, std::string("/api/v1/vouchers/") + id + "/orders"));
    EXPECT_EQ(r.status(), bhttp::status::bad_request) << id;
    EXPECT_EQ(code_of(r), "bad_request");
    EXPECT_EQ(message_of(r), "path parameter 'id' must be a positive integer");
  }
}

TEST_F(RouterTest, UnknownPathIs404) {
  for (const char* target : {"/", "/api", "/api/v1/vouchers/1/orders/", "/api/v1/vouchers//orders",
                             "/api/v1/vouchers/1/orders/x", "/API/v1/vouchers"}) {
    Response r = run_router(router_, make_request(verb::get, target));
    EXPECT_EQ(r.status(), bhttp::status::not_found) << target;
    EXPECT_EQ(code_of(r), "not_found");
  }
}

TEST_F(RouterTest, KnownPathWrongMethodIs405WithAllow) {
  Response r = run_router(router_, make_request(verb::delete_, "/api/v1/vouchers/1/orders"));
  EXPECT_EQ(r.status(), bhttp::status::method_not_allowed);
  EXPECT_EQ(code_of(r), "method_not_allowed");
  ASSERT_EQ(r.headers().size(), 1U);
  EXPECT_EQ(r.headers()[0].first, "Allow");
  EXPECT_EQ(r.headers()[0].second, "POST, GET, HEAD");
}

TEST_F(RouterTest, HeadRunsTheGetRoute) {
  std::size_t matched = Router::kNoRoute;
  Request request = make_request(verb::head, "/api/v1/tickets/T-1/reminders?status=open");
  std::optional<Response> out = run_router(router_, request, &matched);
  EXPECT_EQ(out->status(), bhttp::status::ok);
  EXPECT_EQ(router_.route_pattern(matched), "/api/v1/tickets/{ticket}/reminders");
  // The body is the GET's; the server sends only its head (and its Content-Length).
  EXPECT_EQ(boost::json::parse(out->body()).at("status").as_string(), "open");
  // No GET on a path: HEAD is not allowed either.
  Response post_only = run_router(router_, make_request(verb::head, "/api/v1/vouchers"));
  EXPECT_EQ(post_only.status(), bhttp::status::method_not_allowed);
}

TEST_F(RouterTest, AbsoluteFormIsRoutedByItsPath) {
  Response r = run_router(
      router_,
      make_request(verb::get, "http://example.com:8080/api/v1/tickets/T-9/reminders?status=x"));
  ASSERT_EQ(r.status(), bhttp::status::ok);
  EXPECT_EQ(boost::json::parse(r.body()).at("ticket").as_string(), "T-9");
  EXPECT_EQ(boost::json::parse(r.body()).at("status").as_string(), "x");
  EXPECT_EQ(run_router(router_, make_request(verb::get, "https://h/y")).status(),
            bhttp::status::not_found);
  EXPECT_EQ(run_router(router_, make_request(verb::get, "http://h")).status(),
            bhttp::status::not_found);  // "/": no route here
}

TEST_F(RouterTest, MalformedTargetIs400) {
  for (const char* target : {"*", "ftp://x/y", "http:/y", "http:///y", "/a%zz", "relative",
                             "example.com:80", "http://x/a%zz"}) {
    Response r = run_router(router_, make_request(verb::get, target));
    EXPECT_EQ(r.status(), bhttp::status::bad_request) << target;
  }
}

TEST_F(RouterTest, AccessIsChecked) {
  auto status = [&](verb m, std::string_view target, std::string_view auth) {
    return run_router(router_, make_request(m, target, auth)).status();
  };
  EXPECT_EQ(status(verb::post, "/api/v1/vouchers", ""), bhttp::status::unauthorized);
  EXPECT_EQ(status(verb::post, "/api/v1/vouchers", bearer(1, auth::Role::user)),
            bhttp::status::forbidden);
  EXPECT_EQ(status(verb::post, "/api/v1/vouchers", bearer(1, auth::Role::staff)),
            bhttp::status::forbidden);
  EXPECT_EQ(status(verb::post, "/api/v1/vouchers", bearer(1, auth::Role::admin)),
            bhttp::status::created);
  EXPECT_EQ(status(verb::get, "/staff", bearer(1, auth::Role::user)), bhttp::status::forbidden);
  EXPECT_EQ(status(verb::get, "/staff", bearer(1, auth::Role::staff)), bhttp::status::ok);
  EXPECT_EQ(status(verb::get, "/staff", bearer(1, auth::Role::admin)), bhttp::status::ok);
  // Authentication comes before path parameters: no token, no hint about the id.
  EXPECT_EQ(status(verb::post, "/api/v1/vouchers/abc/orders", ""), bhttp::status::unauthorized);
}

TEST_F(RouterTest, UnauthorizedSaysWhyWithoutEchoingTheToken) {
  auto message = [&](std::string_view auth) {
    Response r = run_router(router_, make_request(verb::post, "/api/v1/vouchers", auth));
    EXPECT_EQ(r.status(), bhttp::status::unauthorized);
    EXPECT_EQ(code_of(r), "unauthorized");
    return message_of(r);
  };
  EXPECT_EQ(message(""), "missing bearer token");
  EXPECT_EQ(message("Basic dXNlcjpwYXNz"), "Authorization scheme must be Bearer");
  EXPECT_EQ(message("Bearer"), "Authorization scheme must be Bearer");
  EXPECT_EQ(message("Bearer not-a-token-xyz"),
            "invalid bearer token: token is not three dot-separated parts");
  auto expired = auth::TokenSigner(kSecret).sign(1, auth::Role::admin, -10s);
  EXPECT_EQ(message("Bearer " + expired), "invalid bearer token: token has expired");
  auto other = auth::TokenSigner("other").sign(1, auth::Role::admin, 1h);
  std::string m = message("bearer " + other);
  EXPECT_EQ(m, "invalid bearer token: token signature is invalid");
  EXPECT_EQ(m.find(other), std::string::npos);
}

TEST_F(RouterTest, FailuresAndExceptionsAreMapped) {
  Response sold = run_router(router_, make_request(verb::get, "/fail/sold"));
  EXPECT_EQ(sold.status(), bhttp::status::conflict);
  EXPECT_EQ(code_of(sold), "sold_out");
  EXPECT_EQ(message_of(sold), "no stock left");
  Response infra = run_router(router_, make_request(verb::get, "/fail/infra"));
  EXPECT_EQ(infra.status(), bhttp::status::service_unavailable);
  EXPECT_EQ(code_of(infra), "unavailable");
  EXPECT_EQ(infra.body().find("10.0.0.1"), std::string::npos);
  Response logic = run_router(router_, make_request(verb::get, "/fail/logic"));
  EXPECT_EQ(logic.status(), bhttp::status::internal_server_error);
  EXPECT_EQ(code_of(logic), "internal");
  EXPECT_EQ(logic.body().find("secret"), std::string::npos);
  Response wrong = run_router(router_, make_request(verb::get, "/fail/wrong-param"));
  EXPECT_EQ(wrong.status(), bhttp::status::internal_server_error);
}

TEST(RouterPatterns, MalformedPatternsAreRefused) {
  Router router(nullptr);
  auto h = [](RequestContext&) -> boost::asio::awaitable<HandlerResult> {
    co_return json_response(bhttp::status::ok, {});
  };
  for (const char* p : {"", "x", "/a//b", "/a/", "/{}", "/{id", "/{id:i32}", "/a{b}", "/{a}/{a}",
                        "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}"}) {
    EXPECT_THROW(router.add(verb::get, p, h), std::invalid_argument) << p;
  }
  router.add(verb::get, "/a/{id:u64}", h);
  EXPECT_THROW(router.add(verb::get, "/a/{id:u64}", h), std::invalid_argument);
  router.add(verb::post, "/a/{id:u64}", h);
  router.add(verb::get, "/", h, Access::anyone);
  EXPECT_EQ(run_router(router, make_request(verb::get, "/")).status(), bhttp::status::ok);
}

}  // namespace
}  // namespace seckill::http
