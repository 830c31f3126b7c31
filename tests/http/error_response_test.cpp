#include "http/error_response.hpp"

#include <utility>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace seckill::http {
namespace {

using boost::beast::http::status;

TEST(ErrorResponse, EveryCodeHasItsStatus) {
  const std::vector<std::pair<ErrorCode, unsigned>> table = {
      {ErrorCode::bad_request, 400},
      {ErrorCode::unauthorized, 401},
      {ErrorCode::forbidden, 403},
      {ErrorCode::not_found, 404},
      {ErrorCode::method_not_allowed, 405},
      {ErrorCode::sold_out, 409},
      {ErrorCode::already_ordered, 409},
      {ErrorCode::not_started, 409},
      {ErrorCode::ended, 409},
      {ErrorCode::already_reminded, 409},
      {ErrorCode::invalid_state, 409},
      {ErrorCode::payload_too_large, 413},
      {ErrorCode::headers_too_large, 431},
      {ErrorCode::rate_limited, 429},
      {ErrorCode::unavailable, 503},
      {ErrorCode::internal, 500},
  };
  for (const auto& [code, expected] : table) {
    EXPECT_EQ(static_cast<unsigned>(status_for(code)), expected) << to_string(code);
    Response r = error_response({code, "what happened", {}});
    EXPECT_EQ(static_cast<unsigned>(r.status()), expected);
    EXPECT_EQ(r.content_type(), "application/json");
    auto body = boost::json::parse(r.body()).as_object();
    ASSERT_EQ(body.size(), 1U);
    const auto& error = body.at("error").as_object();
    EXPECT_EQ(error.at("code").as_string(), to_string(code));
    EXPECT_EQ(error.at("message").as_string(), "what happened");
    EXPECT_FALSE(error.contains("retry_after_s"));
    EXPECT_TRUE(r.headers().empty());
  }
}

TEST(ErrorResponse, RetryAfterGoesIntoTheBodyAndFor429IntoTheHeader) {
  Response reminded = error_response({ErrorCode::already_reminded, "wait", 120});
  EXPECT_EQ(boost::json::parse(reminded.body()).at("error").at("retry_after_s").as_int64(), 120);
  Response limited = error_response({ErrorCode::rate_limited, "slow down", 3});
  EXPECT_EQ(static_cast<unsigned>(limited.status()), 429U);
  EXPECT_EQ(boost::json::parse(limited.body()).at("error").at("retry_after_s").as_int64(), 3);
  ASSERT_EQ(limited.headers().size(), 1U);
  EXPECT_EQ(limited.headers()[0].first, "Retry-After");
  EXPECT_EQ(limited.headers()[0].second, "3");
}

TEST(ErrorResponse, MessageIsEscaped) {
  Response r = error_response({ErrorCode::bad_request, "a \"quoted\"\nline", {}});
  EXPECT_EQ(boost::json::parse(r.body()).at("error").at("message").as_string(),
            "a \"quoted\"\nline");
}

TEST(ErrorResponse, BodyBytesAsBefore) {
  EXPECT_EQ(error_response({ErrorCode::already_reminded, "wait", 120}).body(),
            R"({"error":{"code":"already_reminded","message":"wait","retry_after_s":120}})");
  EXPECT_EQ(error_response({ErrorCode::sold_out, "this voucher is sold out", {}}).body(),
            R"({"error":{"code":"sold_out","message":"this voucher is sold out"}})");
}

TEST(ErrorResponse, HeldIdsAreDecimalStrings) {
  Failure ordered{ErrorCode::already_ordered, "held", {}};
  ordered.order_id = 9'007'199'254'740'993ULL;  // 2^53 + 1: a double would round it
  EXPECT_EQ(
      error_response(ordered).body(),
      R"({"error":{"code":"already_ordered","message":"held","order_id":"9007199254740993"}})");
  Failure reminded{ErrorCode::already_reminded, "wait", 120};
  reminded.reminder_id = 42;
  auto body = boost::json::parse(error_response(reminded).body()).at("error");
  EXPECT_EQ(body.at("reminder_id").as_string(), "42");
  EXPECT_EQ(body.at("retry_after_s").as_int64(), 120);
  EXPECT_EQ(error_response(reminded).status(), boost::beast::http::status::conflict);
}

TEST(ErrorResponse, HeadIsWellFormed) {
  Response r = error_response({ErrorCode::rate_limited, "x", 1});
  std::string head;
  r.serialize_head(head, true, 11);
  EXPECT_EQ(head.rfind("HTTP/1.1 429 Too Many Requests\r\n", 0), 0U);
  EXPECT_NE(head.find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_NE(head.find("Retry-After: 1\r\n"), std::string::npos);
  EXPECT_NE(head.find("Content-Length: " + std::to_string(r.body().size()) + "\r\n"),
            std::string::npos);
  EXPECT_EQ(head.find("Connection:"), std::string::npos);
  r.serialize_head(head, false, 11);
  EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos);
  r.serialize_head(head, true, 10);
  EXPECT_NE(head.find("Connection: keep-alive\r\n"), std::string::npos);
  EXPECT_THROW(r.set_header("X-Evil", "a\r\nSet-Cookie: x"), std::invalid_argument);
}

}  // namespace
}  // namespace seckill::http
