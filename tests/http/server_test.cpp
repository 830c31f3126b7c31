#include "http/server.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "auth/token_signer.hpp"
#include "http/health.hpp"
#include "http/http_test_util.hpp"
#include "http/json_body.hpp"
#include "http/json_response.hpp"

namespace seckill::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using bhttp::verb;
using testing::Client;
using testing::error_code_of;
using testing::TestServer;
using namespace std::chrono_literals;

constexpr std::string_view kSecret = "server secret";

asio::awaitable<HandlerResult> sleep_then_answer(std::chrono::milliseconds delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
  co_return json_response(bhttp::status::ok, {{"slept", true}});
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() : router_(&verifier_) {
    add_health_routes(router_, {});
    router_.add(
        verb::post, "/echo",
        [](RequestContext& ctx) -> asio::awaitable<HandlerResult> {
          auto body = parse_json_object(ctx.body());
          if (!body) co_return std::unexpected(std::move(body.error()));
          co_return json_response(bhttp::status::ok, *body);
        },
        Access::anyone);
    router_.add(
        verb::get, "/slow", [](RequestContext&) { return sleep_then_answer(600ms); },
        Access::anyone);
    router_.add(
        verb::get, "/stuck", [](RequestContext&) { return sleep_then_answer(60s); },
        Access::anyone);
    router_.add(
        verb::get, "/page",
        [](RequestContext&) -> asio::awaitable<HandlerResult> {
          Response page(bhttp::status::ok, "<p>hi</p>", "text/html");
          page.set_header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
          co_return page;
        },
        Access::anyone);
    router_.add(
        verb::get, "/whoami",
        [](RequestContext& ctx) -> asio::awaitable<HandlerResult> {
          co_return Response(bhttp::status::ok, ctx.client_address().to_string(), "text/plain");
        },
        Access::anyone);
    router_.add(
        verb::get, "/me",
        [](RequestContext& ctx) -> asio::awaitable<HandlerResult> {
          co_return json_response(bhttp::status::ok,
                                  {{"user", std::to_string(ctx.principal()->user_id)}});
        },
        Access::authenticated);
  }

  static ServerLimits fast_limits() {
    ServerLimits l;
    l.request_timeout = 2s;
    l.idle_timeout = 2s;
    l.linger_timeout = 500ms;
    l.shutdown_grace = 3s;
    return l;
  }

  auth::TokenVerifier verifier_{kSecret};
  Router router_;
};

TEST_F(ServerTest, HealthzAndKeepAlive) {
  TestServer server(router_, fast_limits());
  Client client(server.port());
  for (int i = 0; i < 3; ++i) {
    auto r = client.request("GET", "/healthz");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 200U);
    EXPECT_EQ(r->body(), R"({"status":"ok"})");
    EXPECT_EQ((*r)[bhttp::field::content_type], "application/json");
    EXPECT_EQ((*r)[bhttp::field::server], "seckill");
    EXPECT_TRUE(r->keep_alive());
  }
  auto last = client.request("GET", "/healthz", {}, "Connection: close\r\n");
  ASSERT_TRUE(last.has_value());
  EXPECT_FALSE(last->keep_alive());
  EXPECT_TRUE(client.closed_by_server(1s));
}

TEST_F(ServerTest, Http10KeepAliveOnlyWhenAsked) {
  TestServer server(router_, fast_limits());
  Client a(server.port());
  ASSERT_TRUE(a.send("GET /healthz HTTP/1.0\r\n\r\n"));
  auto r = a.read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 200U);
  EXPECT_TRUE(a.closed_by_server(1s));
  Client b(server.port());
  ASSERT_TRUE(b.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  r = b.read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)[bhttp::field::connection], "keep-alive");
  EXPECT_FALSE(b.closed_by_server(300ms));
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  TestServer server(router_, fast_limits());
  Client client(server.port());
  std::string batch;
  for (int i = 0; i < 20; ++i) {
    std::string body = R"({"n":)" + std::to_string(i) + "}";
    batch += "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n\r\n" + body;
  }
  ASSERT_TRUE(client.send(batch));
  for (int i = 0; i < 20; ++i) {
    auto r = client.read();
    ASSERT_TRUE(r.has_value()) << i;
    EXPECT_EQ(r->body(), R"({"n":)" + std::to_string(i) + "}");
  }
}

TEST_F(ServerTest, ReadyzReportsEveryProbe) {
  Router router(nullptr);
  add_health_routes(router, {{"redis", []() -> asio::awaitable<bool> { co_return true; }},
                             {"postgres", []() -> asio::awaitable<bool> { co_return true; }}});
  Router down_router(nullptr);
  add_health_routes(down_router, {{"redis", []() -> asio::awaitable<bool> { co_return false; }},
                                  {"postgres", []() -> asio::awaitable<bool> { co_return true; }},
                                  {"broken", []() -> asio::awaitable<bool> {
                                     throw std::runtime_error("boom");
                                     co_return true;
                                   }}});
  TestServer up(router, fast_limits());
  TestServer down(down_router, fast_limits());
  auto r = Client(up.port()).request("GET", "/readyz");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 200U);
  EXPECT_EQ(boost::json::parse(r->body()),
            boost::json::parse(R"({"status":"ok","backends":{"redis":"ok","postgres":"ok"}})"));
  r = Client(down.port()).request("GET", "/readyz");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 503U);
  EXPECT_EQ(boost::json::parse(r->body()),
            boost::json::parse(R"({"status":"unavailable","backends":{"redis":"down",)"
                               R"("postgres":"ok","broken":"down"}})"));
  r = Client(down.port()).request("GET", "/healthz");
  EXPECT_EQ(r->result_int(), 200U);
}

TEST_F(ServerTest, ReadyzCarriesReportsWithoutFailingOnThem) {
  Router router(nullptr);
  auto dead_letters = [] {
    return boost::json::value(boost::json::object{{"orders", 3}, {"reminders", 0}});
  };
  add_health_routes(router, {{"redis", []() -> asio::awaitable<bool> { co_return true; }}},
                    {{"dead_letters", dead_letters}});
  TestServer server(router, fast_limits());
  auto r = Client(server.port()).request("GET", "/readyz");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 200U);  // dead letters are reported, not a reason to be unready
  EXPECT_EQ(boost::json::parse(r->body()),
            boost::json::parse(R"({"status":"ok","backends":{"redis":"ok"},)"
                               R"("dead_letters":{"orders":3,"reminders":0}})"));
}

TEST_F(ServerTest, OversizedBodyIs413) {
  TestServer server(router_, fast_limits());
  {
    Client client(server.port());
    std::string body(2 * 1024 * 1024, 'x');
    auto r = client.request("POST", "/echo", body);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 413U);
    EXPECT_EQ(error_code_of(*r), "payload_too_large");
    EXPECT_FALSE(r->keep_alive());
  }
  {
    // Chunked: the limit is found while reading, not from Content-Length.
    Client client(server.port());
    std::string chunk(64 * 1024, 'x');
    std::string raw = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 20; ++i)
      raw += "10000\r\n" + chunk + "\r\n";
    raw += "0\r\n\r\n";
    client.send(raw);
    auto r = client.read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 413U);
  }
  {
    // Exactly at the limit is fine (it is not JSON, so the handler says 400).
    Client client(server.port());
    auto r = client.request("POST", "/echo", std::string(1024 * 1024, ' '));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 400U);
  }
  auto ok = Client(server.port()).request("GET", "/healthz");
  EXPECT_EQ(ok->result_int(), 200U);
}

TEST_F(ServerTest, ExpectContinueIsHonoured) {
  TestServer server(router_, fast_limits());
  Client client(server.port());
  ASSERT_TRUE(
      client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n"
                  "Expect: 100-continue\r\n\r\n"));
  auto cont = client.read();
  ASSERT_TRUE(cont.has_value());
  EXPECT_EQ(cont->result_int(), 100U);
  ASSERT_TRUE(client.send(R"({"a":1})"));
  auto r = client.read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body(), R"({"a":1})");
}

TEST_F(ServerTest, TooLargeOrTooManyHeadersAre431) {
  TestServer server(router_, fast_limits());
  {
    Client client(server.port());
    auto r = client.request("GET", "/healthz", {}, "X-Big: " + std::string(9000, 'a') + "\r\n");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 431U);
    EXPECT_EQ(error_code_of(*r), "headers_too_large");
  }
  {
    Client client(server.port());
    std::string headers;
    for (int i = 0; i < 150; ++i)
      headers += "X-" + std::to_string(i) + ": v\r\n";
    auto r = client.request("GET", "/healthz", {}, headers);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 431U);
    EXPECT_EQ(error_code_of(*r), "headers_too_large");
  }
  {
    Client client(server.port());
    std::string headers;
    for (int i = 0; i < 1000; ++i)
      headers += "X-" + std::to_string(i) + ": v\r\n";
    auto r = client.request("GET", "/healthz", {}, headers);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 431U);
  }
  EXPECT_EQ(Client(server.port()).request("GET", "/healthz")->result_int(), 200U);
}

TEST_F(ServerTest, MalformedRequestsGet400AndTheServerKeepsServing) {
  TestServer server(router_, fast_limits());
  const std::vector<std::string> bad = {
      "GARBAGE\r\n\r\n",
      "GET\r\n\r\n",
      "GET /healthz HTTP/9.9\r\n\r\n",
      "GET /healthz HTTP/1.1 extra\r\n\r\n",
      "GET /hea lthz HTTP/1.1\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nBad Name: x\r\n\r\n",
      "POST /echo HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
      "POST /echo HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",  // a TLS hello
  };
  for (const auto& raw : bad) {
    Client client(server.port());
    ASSERT_TRUE(client.send(raw));
    auto r = client.read();
    ASSERT_TRUE(r.has_value()) << raw;
    EXPECT_EQ(r->result_int(), 400U) << raw;
    EXPECT_EQ(error_code_of(*r), "bad_request") << raw;
    EXPECT_FALSE(r->keep_alive());
    EXPECT_TRUE(client.closed_by_server(2s)) << raw;
    auto ok = Client(server.port()).request("GET", "/healthz");
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->result_int(), 200U);
  }
}

TEST_F(ServerTest, MalformedJsonBodyIs400AndKeepsTheConnection) {
  TestServer server(router_, fast_limits());
  Client client(server.port());
  for (const char* body : {"{", "[1]", "", "{\"a\":1}x"}) {
    auto r = client.request("POST", "/echo", body);
    ASSERT_TRUE(r.has_value()) << body;
    EXPECT_EQ(r->result_int(), 400U) << body;
    EXPECT_EQ(error_code_of(*r), "bad_request");
    EXPECT_TRUE(r->keep_alive());
  }
  EXPECT_EQ(client.request("POST", "/echo", "{}")->result_int(), 200U);
}

TEST_F(ServerTest, SlowClientIsDropped) {
  ServerLimits limits = fast_limits();
  limits.request_timeout = 700ms;
  TestServer server(router_, limits);
  Client client(server.port());
  std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaa\r\n\r\n";
  auto start = std::chrono::steady_clock::now();
  bool dropped = false;
  for (char c : request) {
    if (!client.send(std::string_view(&c, 1))) {
      dropped = true;
      break;
    }
    if (client.closed_by_server(200ms)) {
      dropped = true;
      break;
    }
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  // Dropped before the whole request was sent (about 12 s at this pace), never before the
  // timeout (timers do not fire early).
  EXPECT_TRUE(dropped);
  EXPECT_GE(elapsed, 600ms);
  // The server forgets the connection just after closing it, on its own thread: wait for that.
  for (int i = 0; i < 100 && server.server().connection_count() != 0; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(server.server().connection_count(), 0U);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerLimits limits = fast_limits();
  limits.idle_timeout = 400ms;
  TestServer server(router_, limits);
  Client client(server.port());
  ASSERT_EQ(client.request("GET", "/healthz")->result_int(), 200U);
  auto start = std::chrono::steady_clock::now();
  // Closed (within a bound far above the 400 ms, for a loaded machine), and never early.
  EXPECT_TRUE(client.closed_by_server(10s));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 300ms);
}

TEST_F(ServerTest, ConnectionsBeyondTheLimitAreRefused) {
  ServerLimits limits = fast_limits();
  limits.max_connections = 2;
  TestServer server(router_, limits);
  auto a = std::make_unique<Client>(server.port());
  auto b = std::make_unique<Client>(server.port());
  ASSERT_EQ(a->request("GET", "/healthz")->result_int(), 200U);
  ASSERT_EQ(b->request("GET", "/healthz")->result_int(), 200U);
  {
    Client c(server.port());
    // The refusal is a best-effort 503 and a close; the close is what counts.
    auto r = c.read();
    if (r) {
      EXPECT_EQ(r->result_int(), 503U);
      EXPECT_EQ(error_code_of(*r), "unavailable");
    }
    EXPECT_TRUE(c.closed_by_server(1s));
  }
  a.reset();
  for (int i = 0; i < 100 && server.server().connection_count() > 1; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  Client d(server.port());
  auto r = d.request("GET", "/healthz");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 200U);
}

TEST_F(ServerTest, ConnectionsBeyondThePerAddressCapAreRefused) {
  ServerLimits limits = fast_limits();
  limits.max_connections_per_address = 3;
  // Three I/O threads: the kernel spreads one address's connections over them, and the cap
  // holds for their sum.
  TestServer server(router_, limits, 3);
  std::vector<std::unique_ptr<Client>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<Client>(server.port(), 5s, "127.0.0.1"));
    auto r = held.back()->request("GET", "/healthz");
    ASSERT_TRUE(r.has_value()) << i;
    ASSERT_EQ(r->result_int(), 200U) << i;
  }
  for (int round = 0; round < 4; ++round) {
    Client over(server.port(), 5s, "127.0.0.1");
    auto r = over.read();
    ASSERT_TRUE(r.has_value()) << round;
    EXPECT_EQ(r->result_int(), 503U);
    EXPECT_EQ(error_code_of(*r), "unavailable");
    EXPECT_TRUE(over.closed_by_server(1s));
  }
  // Another address is not capped by this one's connections.
  Client other(server.port(), 5s, "127.0.0.2");
  auto r = other.request("GET", "/healthz");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 200U);
  // A closed connection makes room again.
  held.pop_back();
  std::optional<testing::ClientResponse> again;
  for (int i = 0; i < 100; ++i) {
    Client next(server.port(), 5s, "127.0.0.1");
    again = next.request("GET", "/healthz");
    if (again && again->result_int() == 200U) break;
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->result_int(), 200U);
}

TEST_F(ServerTest, ForwardedForIsBelievedOnlyFromTrustedProxies) {
  constexpr std::string_view kXff = "X-Forwarded-For: 203.0.113.66, 198.51.100.4\r\n";
  {
    // Nobody trusted: the header is ignored, the client is the peer.
    TestServer server(router_, fast_limits());
    auto r = Client(server.port(), 5s, "127.0.0.1").request("GET", "/whoami", {}, kXff);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->body(), "127.0.0.1");
  }
  ServerLimits limits = fast_limits();
  limits.max_connections_per_address = 1;
  TestServer server(router_, limits, 2, *TrustedProxies::parse("127.0.0.1/32"));
  // From the trusted peer: the rightmost untrusted entry.
  Client proxy(server.port(), 5s, "127.0.0.1");
  auto r = proxy.request("GET", "/whoami", {}, kXff);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body(), "198.51.100.4");
  r = proxy.request("GET", "/whoami", {}, "X-Forwarded-For: 2001:db8::8, 127.0.0.1\r\n");
  EXPECT_EQ(r->body(), "2001:db8::8");
  r = proxy.request("GET", "/whoami", {}, "X-Forwarded-For: 198.51.100.4, bogus\r\n");
  EXPECT_EQ(r->body(), "127.0.0.1");
  r = proxy.request("GET", "/whoami");
  EXPECT_EQ(r->body(), "127.0.0.1");
  // From another peer the header is ignored: a client cannot pick its own address.
  auto other = Client(server.port(), 5s, "127.0.0.2").request("GET", "/whoami", {}, kXff);
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->body(), "127.0.0.2");
  // A trusted proxy carries everyone's connections: the per-address cap (1 here) spares it.
  Client proxy2(server.port(), 5s, "127.0.0.1");
  Client proxy3(server.port(), 5s, "127.0.0.1");
  EXPECT_EQ(proxy2.request("GET", "/whoami", {}, kXff)->result_int(), 200U);
  EXPECT_EQ(proxy3.request("GET", "/whoami", {}, kXff)->result_int(), 200U);
}

TEST_F(ServerTest, GracefulShutdownFinishesInFlightRequests) {
  ServerLimits limits = fast_limits();
  limits.shutdown_grace = 60s;  // so that a stop waiting out the grace shows
  TestServer server(router_, limits);
  const auto port = server.port();
  Client idle(port);
  ASSERT_EQ(idle.request("GET", "/healthz")->result_int(), 200U);
  Client busy(port);
  ASSERT_TRUE(busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::this_thread::sleep_for(150ms);  // the handler is now sleeping
  auto start = std::chrono::steady_clock::now();
  auto stopped = std::async(std::launch::async, [&] { return server.stop_and_wait(); });
  EXPECT_TRUE(idle.closed_by_server(1s));
  auto r = busy.read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 200U);
  EXPECT_EQ(r->body(), R"({"slept":true})");
  EXPECT_FALSE(r->keep_alive());
  EXPECT_TRUE(stopped.get());
  // Stopped once the 600 ms request was answered, not at the end of the 60 s grace.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket s(io);
  boost::system::error_code ec;
  s.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  EXPECT_TRUE(ec) << "a stopped server accepted a connection";
}

TEST_F(ServerTest, ShutdownGraceBoundsAStuckRequest) {
  ServerLimits limits = fast_limits();
  limits.shutdown_grace = 200ms;
  TestServer server(router_, limits);
  Client busy(server.port());
  ASSERT_TRUE(busy.send("GET /stuck HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::this_thread::sleep_for(100ms);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(server.stop_and_wait());
  // The handler would take 60 s: the 200 ms grace cut it (bound far above 200 ms, far below 60 s).
  EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
  EXPECT_TRUE(busy.closed_by_server(1s));
}

TEST_F(ServerTest, AuthenticationOverHttp) {
  TestServer server(router_, fast_limits());
  Client client(server.port());
  auto r = client.request("GET", "/me");
  EXPECT_EQ(r->result_int(), 401U);
  EXPECT_EQ(error_code_of(*r), "unauthorized");
  r = client.request("GET", "/me", {}, "Authorization: Basic dXNlcjpwYXNz\r\n");
  EXPECT_EQ(r->result_int(), 401U);
  r = client.request("GET", "/me", {}, "Authorization: Bearer abc.def.ghi\r\n");
  EXPECT_EQ(r->result_int(), 401U);
  EXPECT_EQ(r->body().find("abc.def"), std::string::npos);
  auto token = auth::TokenSigner(kSecret).sign(99, auth::Role::user, 1h);
  r = client.request("GET", "/me", {}, "Authorization: Bearer " + token + "\r\n");
  EXPECT_EQ(r->result_int(), 200U);
  EXPECT_EQ(r->body(), R"({"user":"99"})");
}

asio::awaitable<HandlerResult> answer_ok() {
  co_return json_response(bhttp::status::ok, {{"ok", true}});
}

TEST_F(ServerTest, SeveralIoContextsShareOnePort) {
  // Each io_context runs on a thread of its own: the threads that ran the handler are the
  // contexts that served.
  std::mutex mutex;
  std::set<std::thread::id> serving;
  router_.add(
      verb::get, "/thread",
      [&](RequestContext&) {
        std::lock_guard lock(mutex);
        serving.insert(std::this_thread::get_id());
        return answer_ok();
      },
      Access::anyone);
  TestServer server(router_, fast_limits(), 3);
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        Client c(server.port());
        auto r = c.request("GET", "/thread");
        if (r && r->result_int() == 200U) ++ok;
      }
    });
  }
  for (auto& t : clients)
    t.join();
  EXPECT_EQ(ok.load(), 100);
  std::lock_guard lock(mutex);
  // 100 connections: all on one context of three would mean the others never accept.
  EXPECT_GT(serving.size(), 1u) << "only one io_context served";
  EXPECT_LE(serving.size(), 3u);
}

TEST_F(ServerTest, UnknownRoutesOverHttp) {
  TestServer server(router_, fast_limits());
  Client client(server.port());
  auto r = client.request("GET", "/nope");
  EXPECT_EQ(r->result_int(), 404U);
  EXPECT_TRUE(r->keep_alive());
  r = client.request("DELETE", "/healthz");
  EXPECT_EQ(r->result_int(), 405U);
  EXPECT_EQ((*r)[bhttp::field::allow], "GET, HEAD");
  EXPECT_EQ(error_code_of(*r), "method_not_allowed");
}

void expect_security_headers(const testing::ClientResponse& r, std::string_view csp) {
  EXPECT_EQ(r["X-Content-Type-Options"], "nosniff") << r.result_int();
  EXPECT_EQ(r["X-Frame-Options"], "DENY") << r.result_int();
  EXPECT_EQ(r["Referrer-Policy"], "no-referrer") << r.result_int();
  EXPECT_EQ(r["Content-Security-Policy"], csp) << r.result_int();
  EXPECT_EQ(r.count("Content-Security-Policy"), 1U) << r.result_int();
}

TEST_F(ServerTest, SecurityHeadersOnEveryAnswer) {
  constexpr std::string_view kJsonCsp = "default-src 'none'; frame-ancestors 'none'";
  ServerLimits limits = fast_limits();
  limits.max_connections = 1;
  TestServer server(router_, limits);
  {
    Client client(server.port());
    for (const char* target : {"/healthz", "/nope", "/me"}) {
      auto r = client.request("GET", target);
      ASSERT_TRUE(r.has_value()) << target;
      expect_security_headers(*r, kJsonCsp);
    }
    auto r = client.request("DELETE", "/healthz");
    ASSERT_TRUE(r.has_value());
    expect_security_headers(*r, kJsonCsp);
    // A page with its own policy keeps it, and only it.
    r = client.request("GET", "/page");
    ASSERT_TRUE(r.has_value());
    expect_security_headers(*r, "default-src 'self'; frame-ancestors 'none'");
    // The connection-cap refusal (server.cpp) is pre-built from the same head.
    Client over(server.port());
    auto refused = over.read();
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->result_int(), 503U);
    expect_security_headers(*refused, kJsonCsp);
  }
  for (int i = 0; i < 200 && server.server().connection_count() != 0; ++i)
    std::this_thread::sleep_for(10ms);
  // An answer to a request that could not be read (session.cpp's answer_and_close).
  Client bad(server.port());
  ASSERT_TRUE(bad.send("GARBAGE\r\n\r\n"));
  auto r = bad.read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 400U);
  expect_security_headers(*r, kJsonCsp);
}

}  // namespace
}  // namespace seckill::http
