#include "support/http_client.hpp"

#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

namespace seckill::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

struct HttpClient::Impl {
  std::string host;
  unsigned short port;
  asio::io_context io;
  std::optional<asio::ip::tcp::socket> socket;
  beast::flat_buffer buffer;
};

HttpClient::HttpClient(std::string host, unsigned short port) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

HttpAnswer HttpClient::request(const std::string& method, const std::string& target,
                               const std::string& token, const std::string& body) {
  bool resent = false;
  for (int attempt = 0; attempt < 2; ++attempt) {
    boost::system::error_code ec;
    if (!impl_->socket) {
      impl_->socket.emplace(impl_->io);
      impl_->socket->connect(
          asio::ip::tcp::endpoint(asio::ip::make_address(impl_->host), impl_->port), ec);
      if (ec) {
        impl_->socket.reset();
        HttpAnswer none;
        none.resent = resent;
        return none;
      }
      impl_->buffer.clear();
    }
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, impl_->host);
    if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
    if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    bhttp::write(*impl_->socket, req, ec);
    bhttp::response<bhttp::string_body> res;
    bool written = !ec;
    if (!ec) bhttp::read(*impl_->socket, impl_->buffer, res, ec);
    if (ec) {
      // A kept-alive connection the server closed meanwhile: reconnect once.
      impl_->socket.reset();
      if (written) resent = true;
      continue;
    }
    HttpAnswer answer{static_cast<int>(res.result_int()), res.body(),
                      std::string(res[bhttp::field::retry_after]), resent};
    if (!res.keep_alive()) impl_->socket.reset();
    return answer;
  }
  HttpAnswer none;
  none.resent = resent;
  return none;
}

boost::json::value HttpAnswer::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  return ec ? boost::json::value() : v;
}

std::string HttpAnswer::error_code() const {
  auto v = json();
  if (!v.is_object()) return {};
  const auto* error = v.as_object().if_contains("error");
  if (error == nullptr || !error->is_object()) return {};
  const auto* code = error->as_object().if_contains("code");
  return code != nullptr && code->is_string() ? std::string(code->as_string()) : std::string();
}

}  // namespace seckill::testing
