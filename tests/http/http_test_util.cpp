#include "http/http_test_util.hpp"

#include <future>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/json/parse.hpp>

namespace seckill::http::testing {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// Response has no default constructor, which co_spawn's completion needs: store it instead.
asio::awaitable<void> handle_into(const Router* router, const Request* request,
                                  std::optional<Response>* out, std::size_t* matched) {
  out->emplace(co_await router->handle(*request, {}, matched));
}

}  // namespace

Response run_router(const Router& router, const Request& request, std::size_t* matched) {
  asio::io_context io;
  std::optional<Response> out;
  std::exception_ptr error;
  asio::co_spawn(io, handle_into(&router, &request, &out, matched),
                 [&](const std::exception_ptr& e) { error = e; });
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

TestServer::TestServer(const Router& router, ServerLimits limits, std::size_t threads,
                       TrustedProxies proxies) {
  std::vector<asio::io_context*> raw;
  for (std::size_t i = 0; i < threads; ++i) {
    ios_.push_back(std::make_unique<asio::io_context>(1));
    raw.push_back(ios_.back().get());
  }
  server_.emplace(raw, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), router, limits);
  server_->trust_proxies(std::move(proxies));
  server_->start();
  for (auto& io : ios_)
    threads_.emplace_back([ctx = io.get()] { ctx->run(); });
}

bool TestServer::stop_and_wait(std::chrono::milliseconds timeout) {
  if (stopped_) return true;
  stopped_ = true;
  auto done = std::make_shared<std::promise<void>>();
  auto future = done->get_future();
  server_->stop([done] { done->set_value(); });
  bool ok = future.wait_for(timeout) == std::future_status::ready;
  // As `seckill serve` does once the server has stopped (serve_command.cpp): the contexts stop,
  // whatever a handler cut off by the grace period still has pending.
  for (auto& io : ios_)
    io->stop();
  for (auto& t : threads_)
    t.join();
  threads_.clear();
  return ok;
}

TestServer::~TestServer() {
  stop_and_wait();
  server_.reset();
}

Client::Client(unsigned short port, std::chrono::milliseconds timeout,
               std::string_view local_address)
    : socket_(io_) {
  if (!local_address.empty()) {
    socket_.open(tcp::v4());
    socket_.bind(tcp::endpoint(asio::ip::make_address(std::string(local_address)), 0));
  }
  socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

bool Client::send(std::string_view bytes) {
  boost::system::error_code ec;
  asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
  return !ec;
}

std::optional<ClientResponse> Client::read(bool to_head) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.skip(to_head);
  parser.body_limit(16 * 1024 * 1024);
  boost::system::error_code ec;
  bhttp::read(socket_, buffer_, parser, ec);
  if (ec) return std::nullopt;
  return parser.release();
}

std::optional<ClientResponse> Client::request(std::string_view method, std::string_view target,
                                              std::string_view body,
                                              std::string_view extra_headers) {
  std::string raw = std::string(method) + " " + std::string(target) +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + std::string(extra_headers);
  if (!body.empty() || method == "POST") {
    raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  raw += "\r\n";
  raw += body;
  if (!send(raw)) return std::nullopt;
  return read();
}

bool Client::closed_by_server(std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{socket_.native_handle(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t n = ::recv(socket_.native_handle(), buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return true;
  }
}

std::string error_code_of(const ClientResponse& response) {
  boost::system::error_code ec;
  auto value = boost::json::parse(response.body(), ec);
  if (ec || !value.is_object()) return {};
  const auto* error = value.as_object().if_contains("error");
  if (error == nullptr || !error->is_object()) return {};
  const auto* code = error->as_object().if_contains("code");
  if (code == nullptr || !code->is_string()) return {};
  return std::string(code->get_string());
}

}  // namespace seckill::http::testing
