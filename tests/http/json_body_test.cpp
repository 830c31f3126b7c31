#include "http/json_body.hpp"

#include <gtest/gtest.h>

#include "http/json_response.hpp"

namespace seckill::http {
namespace {

TEST(JsonBody, ParsesAnObject) {
  auto obj = parse_json_object(R"({"title":"t","stock":3})");
  ASSERT_TRUE(obj.has_value());
  EXPECT_EQ(obj->at("stock").as_int64(), 3);
}

TEST(JsonBody, RefusesWhatIsNotAnObject) {
  for (const char* body : {"", "   ", "[1,2]", "\"x\"", "3", "null"}) {
    auto r = parse_json_object(body);
    ASSERT_FALSE(r.has_value()) << body;
    EXPECT_EQ(r.error().code, ErrorCode::bad_request);
  }
  auto array = parse_json_object("[]");
  EXPECT_EQ(array.error().message, "request body must be a JSON object");
  for (const char* body : {"{", R"({"a":})", R"({"a":1} trailing)", "{'a':1}", "nul"}) {
    auto r = parse_json_object(body);
    ASSERT_FALSE(r.has_value()) << body;
    EXPECT_EQ(r.error().code, ErrorCode::bad_request);
    EXPECT_EQ(r.error().message.rfind("request body is not valid JSON", 0), 0U) << body;
  }
}

TEST(JsonResponse, SerializesWithJsonContentType) {
  Response r = json_response(boost::beast::http::status::created, {{"id", "42"}});
  EXPECT_EQ(r.body(), R"({"id":"42"})");
  EXPECT_EQ(r.content_type(), "application/json");
  EXPECT_EQ(r.status(), boost::beast::http::status::created);
}

}  // namespace
}  // namespace seckill::http
