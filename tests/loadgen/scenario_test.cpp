#include "loadgen/scenario.hpp"

#include <set>

#include <gtest/gtest.h>

#include "loadgen/response_head.hpp"

using namespace seckill::loadgen;

TEST(Scenario, ParsesEveryNameAndNothingElse) {
  EXPECT_EQ(parse_scenario("healthz"), Scenario::healthz);
  EXPECT_EQ(parse_scenario("sale"), Scenario::sale);
  EXPECT_EQ(parse_scenario("soldout"), Scenario::soldout);
  EXPECT_EQ(parse_scenario("remind"), Scenario::remind_new);
  EXPECT_EQ(parse_scenario("remind-new"), Scenario::remind_new);
  EXPECT_EQ(parse_scenario("remind-repeat"), Scenario::remind_repeat);
  EXPECT_EQ(parse_scenario("mixed"), Scenario::mixed);
  EXPECT_FALSE(parse_scenario("Sale"));
  EXPECT_FALSE(parse_scenario(""));
  EXPECT_FALSE(parse_scenario("purchase"));
  for (auto s : {Scenario::healthz, Scenario::sale, Scenario::soldout, Scenario::remind_new,
                 Scenario::remind_repeat, Scenario::mixed}) {
    EXPECT_EQ(parse_scenario(to_string(s)), s);
  }
}

TEST(Scenario, SaleGivesEachUserExactlyOnceThenEnds) {
  RequestPlan plan(Scenario::sale, 1000, 5);
  std::set<std::uint64_t> users;
  for (std::uint64_t seq = 0; seq < 5; ++seq) {
    auto r = plan.at(seq);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->kind, RequestKind::purchase);
    users.insert(r->user);
  }
  EXPECT_EQ(users, (std::set<std::uint64_t>{1000, 1001, 1002, 1003, 1004}));
  EXPECT_FALSE(plan.at(5));
  EXPECT_EQ(plan.users_for(1'000'000), 5u);
  EXPECT_EQ(plan.users_for(3), 3u);
}

TEST(Scenario, UnboundedPlansNeverEnd) {
  RequestPlan sale(Scenario::sale, 7, 0);
  EXPECT_EQ(sale.at(1'000'000)->user, 1'000'007u);
  RequestPlan health(Scenario::healthz, 7, 3);
  EXPECT_EQ(health.at(10)->kind, RequestKind::healthz);
  EXPECT_EQ(health.at(10)->user, 0u);
  EXPECT_EQ(health.users_for(100), 0u);
}

TEST(Scenario, RemindRepeatIsOneUserAgainAndAgain) {
  RequestPlan plan(Scenario::remind_repeat, 42, 1);
  for (std::uint64_t seq : {0u, 1u, 99u}) {
    EXPECT_EQ(plan.at(seq)->user, 42u);
    EXPECT_EQ(plan.at(seq)->kind, RequestKind::remind);
  }
  EXPECT_EQ(plan.users_for(1000), 1u);
}

TEST(Scenario, MixedIsSevenPurchasesTwoRemindersOneReadInTen) {
  RequestPlan plan(Scenario::mixed, 1, 0);
  int purchase = 0, remind = 0, read = 0;
  std::set<std::uint64_t> users;
  for (std::uint64_t seq = 0; seq < 1000; ++seq) {
    auto r = plan.at(seq);
    users.insert(r->user);
    purchase += r->kind == RequestKind::purchase;
    remind += r->kind == RequestKind::remind;
    read += r->kind == RequestKind::get_voucher;
  }
  EXPECT_EQ(purchase, 700);
  EXPECT_EQ(remind, 200);
  EXPECT_EQ(read, 100);
  EXPECT_EQ(users.size(), 1000u);
}

TEST(Scenario, RequestsAreWellFormedHttp) {
  std::string out;
  append_request(out, RequestKind::purchase, "127.0.0.1:8080", "123", "t", "tok");
  EXPECT_EQ(out,
            "POST /api/v1/vouchers/123/orders HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
            "Authorization: Bearer tok\r\nContent-Length: 0\r\n\r\n");
  out.clear();
  append_request(out, RequestKind::healthz, "h:1", "", "", "");
  EXPECT_EQ(out, "GET /healthz HTTP/1.1\r\nHost: h:1\r\n\r\n");
  out.clear();
  append_request(out, RequestKind::remind, "h:1", "", "T-1", "x");
  EXPECT_TRUE(out.starts_with("POST /api/v1/tickets/T-1/reminders HTTP/1.1\r\n"));
}

TEST(ResponseHead, ReadsStatusLengthAndClose) {
  auto h = parse_response_head(
      "HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\ncontent-length: 12\r\n\r\n{...}");
  EXPECT_EQ(h.state, ResponseHead::State::complete);
  EXPECT_EQ(h.status, 409);
  EXPECT_EQ(h.content_length, 12u);
  EXPECT_FALSE(h.close);
  EXPECT_EQ(h.head_size, 77u);
  auto c = parse_response_head("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(c.close);
  EXPECT_EQ(c.content_length, 0u);
  EXPECT_EQ(parse_response_head("HTTP/1.1 200 OK\r\nContent-Le").state,
            ResponseHead::State::incomplete);
  EXPECT_EQ(parse_response_head("garbage\r\n\r\n").state, ResponseHead::State::malformed);
  EXPECT_EQ(parse_response_head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").state,
            ResponseHead::State::malformed);
}

TEST(ResponseHead, FindsTheErrorCode) {
  EXPECT_EQ(error_code_of(R"({"error":{"code":"sold_out","message":"no"}})"), "sold_out");
  EXPECT_EQ(error_code_of(R"({"error": {"code": "already_reminded", "retry_after_s": 3}})"),
            "already_reminded");
  EXPECT_EQ(error_code_of(R"({"order_id":"1"})"), "");
  EXPECT_EQ(error_code_of(""), "");
}
