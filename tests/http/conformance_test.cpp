// One case per rule of RFC 9110 / RFC 9112 that the server relies on, named by its section.
// Raw bytes over a real socket to a Server on 127.0.0.1.
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "http/health.hpp"
#include "http/http_test_util.hpp"
#include "http/json_body.hpp"
#include "http/json_response.hpp"
#include "http/server.hpp"

namespace seckill::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using bhttp::verb;
using testing::Client;
using testing::error_code_of;
using testing::TestServer;
using namespace std::chrono_literals;

class ConformanceTest : public ::testing::Test {
 protected:
  ConformanceTest() : router_(nullptr) {
    add_health_routes(router_, {});
    router_.add(
        verb::post, "/echo",
        [](RequestContext& ctx) -> asio::awaitable<HandlerResult> {
          auto body = parse_json_object(ctx.body());
          if (!body) co_return std::unexpected(std::move(body.error()));
          co_return json_response(bhttp::status::ok, *body);
        },
        Access::anyone);
  }

  static ServerLimits fast_limits() {
    ServerLimits l;
    l.request_timeout = 2s;
    l.idle_timeout = 2s;
    l.linger_timeout = 300ms;
    l.shutdown_grace = 2s;
    return l;
  }

  /// Sends `raw` on a new connection; expects 400 `bad_request`, `Connection: close` and the
  /// server closing the connection (nothing after the head is read as a next request).
  void expect_400_and_close(TestServer& server, const std::string& raw) {
    Client client(server.port());
    ASSERT_TRUE(client.send(raw));
    auto r = client.read();
    ASSERT_TRUE(r.has_value()) << raw;
    EXPECT_EQ(r->result_int(), 400U) << raw;
    EXPECT_EQ(error_code_of(*r), "bad_request") << raw;
    EXPECT_FALSE(r->keep_alive()) << raw;
    EXPECT_TRUE(client.closed_by_server(2s)) << raw;
  }

  Router router_;
};

// RFC 9112 6.3 (4): chunked present but not the final coding: the length cannot be determined,
// the server MUST answer 400 and close.
TEST_F(ConformanceTest, Rfc9112_6_3_ChunkedNotFinalIs400AndClose) {
  TestServer server(router_, fast_limits());
  expect_400_and_close(server,
                       "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n"
                       "\r\n0\r\n\r\n");
  expect_400_and_close(server,
                       "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                       "Transfer-Encoding: gzip\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
}

// RFC 9112 6.1: a coding the server does not implement (SHOULD 501; we answer 400, see
// http/request_head.hpp) and then close: the body's end is unknown.
TEST_F(ConformanceTest, Rfc9112_6_1_UnknownTransferCodingIs400AndClose) {
  TestServer server(router_, fast_limits());
  for (const char* coding : {"gzip", "identity", "gzip, chunked", "chunked, chunked", "x"}) {
    expect_400_and_close(server, std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n") +
                                     "Transfer-Encoding: " + coding + "\r\n\r\n0\r\n\r\n");
  }
}

// RFC 9112 6.1: Transfer-Encoding and Content-Length together may be rejected (the
// request-smuggling shape): we do, with or without the Content-Length first.
TEST_F(ConformanceTest, Rfc9112_6_1_TransferEncodingWithContentLengthIs400) {
  TestServer server(router_, fast_limits());
  expect_400_and_close(server,
                       "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
  expect_400_and_close(server,
                       "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                       "Content-Length: 7\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
}

// RFC 9112 6.1: Transfer-Encoding in an HTTP/1.0 message means faulty framing.
TEST_F(ConformanceTest, Rfc9112_6_1_TransferEncodingOnHttp10Is400) {
  TestServer server(router_, fast_limits());
  expect_400_and_close(server,
                       "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "2\r\n{}\r\n0\r\n\r\n");
}

// RFC 9112 7.1: chunked alone (any case, RFC 9112 7) is the one coding we read.
TEST_F(ConformanceTest, Rfc9112_7_1_ChunkedAloneIsRead) {
  TestServer server(router_, fast_limits());
  for (const char* coding : {"chunked", "Chunked", " chunked "}) {
    Client client(server.port());
    ASSERT_TRUE(client.send(std::string("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:") +
                            coding + "\r\n\r\n3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n"));
    auto r = client.read();
    ASSERT_TRUE(r.has_value()) << coding;
    EXPECT_EQ(r->result_int(), 200U) << coding;
    EXPECT_EQ(r->body(), R"({"a":1})");
    EXPECT_TRUE(r->keep_alive());
  }
}

// RFC 9112 3.2: an HTTP/1.1 request without Host, or with two, MUST be answered 400.
TEST_F(ConformanceTest, Rfc9112_3_2_HostIsRequiredOnce) {
  TestServer server(router_, fast_limits());
  expect_400_and_close(server, "GET /healthz HTTP/1.1\r\n\r\n");
  expect_400_and_close(server, "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  // HTTP/1.0 had no Host.
  Client client(server.port());
  ASSERT_TRUE(client.send("GET /healthz HTTP/1.0\r\n\r\n"));
  auto r = client.read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 200U);
  // An empty Host is what a client sends for a target without authority: accepted.
  Client empty(server.port());
  ASSERT_TRUE(empty.send("GET /healthz HTTP/1.1\r\nHost:\r\n\r\n"));
  r = empty.read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 200U);
}

// RFC 9112 3.2.2: a server MUST accept the absolute form; the target's path routes it.
TEST_F(ConformanceTest, Rfc9112_3_2_2_AbsoluteFormIsAccepted) {
  TestServer server(router_, fast_limits());
  Client client(server.port());
  ASSERT_TRUE(
      client.send("GET http://seckill.example:8080/healthz HTTP/1.1\r\nHost: other\r\n\r\n"));
  auto r = client.read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 200U);
  EXPECT_EQ(r->body(), R"({"status":"ok"})");
  ASSERT_TRUE(
      client.send("POST https://seckill.example/echo?x=1 HTTP/1.1\r\nHost: x\r\n"
                  "Content-Length: 7\r\n\r\n{\"b\":2}"));
  r = client.read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 200U);
  EXPECT_EQ(r->body(), R"({"b":2})");
}

// RFC 9110 9.3.2: HEAD wherever GET is, same status and headers (Content-Length included), no
// body; the connection stays usable (no stray body bytes).
TEST_F(ConformanceTest, Rfc9110_9_3_2_HeadOnEveryGetRoute) {
  TestServer server(router_, fast_limits());
  Client client(server.port());
  auto get = client.request("GET", "/healthz");
  ASSERT_TRUE(get.has_value());
  ASSERT_TRUE(client.send("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = client.read(true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->result_int(), 200U);
  EXPECT_EQ((*head)[bhttp::field::content_length], (*get)[bhttp::field::content_length]);
  EXPECT_EQ((*head)[bhttp::field::content_type], (*get)[bhttp::field::content_type]);
  EXPECT_TRUE(head->body().empty());
  EXPECT_TRUE(head->keep_alive());
  // A HEAD to an unknown path or a failing route: the error's head, still no body.
  ASSERT_TRUE(client.send("HEAD /nope HTTP/1.1\r\nHost: x\r\n\r\n"));
  head = client.read(true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->result_int(), 404U);
  EXPECT_NE((*head)[bhttp::field::content_length], "0");
  // The next answer on the connection is whole: nothing of a body was sent before it.
  auto after = client.request("GET", "/healthz");
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->result_int(), 200U);
  EXPECT_EQ(after->body(), R"({"status":"ok"})");
}

// RFC 9110 15.5.6: a 405 MUST carry Allow, listing HEAD where GET is (9.3.2).
TEST_F(ConformanceTest, Rfc9110_15_5_6_MethodNotAllowedCarriesAllow) {
  TestServer server(router_, fast_limits());
  Client client(server.port());
  auto r = client.request("POST", "/healthz");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 405U);
  EXPECT_EQ((*r)[bhttp::field::allow], "GET, HEAD");
  r = client.request("GET", "/echo");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 405U);
  EXPECT_EQ((*r)[bhttp::field::allow], "POST");
}

}  // namespace
}  // namespace seckill::http
