#pragma once
// Helpers for the HTTP tests: a Server running on its own threads on 127.0.0.1 with port 0, a
// blocking client on real sockets (Beast for well-formed talk, raw bytes for malformed input),
// and a way to run a Router without sockets.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/limits.hpp"
#include "http/response.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace seckill::http::testing {

using ClientResponse = boost::beast::http::response<boost::beast::http::string_body>;

/// Runs router.handle(request) to completion on a private io_context; `matched`, if given,
/// receives the index of the route that answered.
Response run_router(const Router& router, const Request& request, std::size_t* matched = nullptr);

/// A Server on `threads` io_contexts, each run by its own thread, until stop_and_wait() or the
/// destructor.
class TestServer {
 public:
  /// `proxies`: Server::trust_proxies(), given before the server starts.
  explicit TestServer(const Router& router, ServerLimits limits = {}, std::size_t threads = 1,
                      TrustedProxies proxies = {});
  ~TestServer();
  unsigned short port() const { return server_->local_endpoint().port(); }
  Server& server() { return *server_; }
  /// stop(), then waits for its callback, stops the contexts and joins the threads; true if the
  /// callback ran within `timeout`.
  bool stop_and_wait(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> ios_;
  std::optional<Server> server_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;
};

/// A blocking HTTP client with a receive timeout, so a broken server fails a test instead of
/// hanging it.
class Client {
 public:
  /// Connects to 127.0.0.1:`port`, from `local_address` if given (any 127.x.y.z works on
  /// Linux: a test can be several clients).
  explicit Client(unsigned short port, std::chrono::milliseconds timeout = std::chrono::seconds(5),
                  std::string_view local_address = {});
  /// Sends raw bytes; false if the connection is broken.
  bool send(std::string_view bytes);
  /// Reads one response; nullopt on EOF, reset or timeout. `to_head`: the answer to a HEAD
  /// request (no body follows whatever its Content-Length says).
  std::optional<ClientResponse> read(bool to_head = false);
  /// Sends a well-formed HTTP/1.1 request and reads its response.
  std::optional<ClientResponse> request(std::string_view method, std::string_view target,
                                        std::string_view body = {},
                                        std::string_view extra_headers = {});
  /// True if the server closes (EOF or reset) within `wait`, reading and dropping any data.
  bool closed_by_server(std::chrono::milliseconds wait);
  boost::asio::ip::tcp::socket& socket() { return socket_; }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

/// `{"error":{"code":...}}` of a response, or "" if the body is not an error body.
std::string error_code_of(const ClientResponse& response);

}  // namespace seckill::http::testing
