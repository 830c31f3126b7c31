#include "loadgen/setup_client.hpp"

#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "loadgen/response_head.hpp"

namespace seckill::loadgen {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

SetupAnswer http_call(const Target& target, std::string_view method, std::string_view path,
                      std::string_view token, std::string_view body) {
  asio::io_context ctx;
  tcp::resolver resolver(ctx);
  tcp::socket socket(ctx);
  boost::system::error_code ec;
  asio::connect(socket, resolver.resolve(target.host, std::to_string(target.port), ec), ec);
  if (ec) {
    throw std::runtime_error(
        fmt::format("cannot reach {}:{}: {}", target.host, target.port, ec.message()));
  }
  std::string request = fmt::format("{} {} HTTP/1.1\r\nHost: {}:{}\r\nConnection: close\r\n",
                                    method, path, target.host, target.port);
  if (!token.empty()) request += fmt::format("Authorization: Bearer {}\r\n", token);
  if (!body.empty()) request += "Content-Type: application/json\r\n";
  request += fmt::format("Content-Length: {}\r\n\r\n", body.size());
  request += body;
  asio::write(socket, asio::buffer(request), ec);
  if (ec) throw std::runtime_error(fmt::format("{} {}: {}", method, path, ec.message()));
  std::string in;
  char chunk[8192];
  for (;;) {
    auto head = parse_response_head(in);
    if (head.state == ResponseHead::State::malformed) {
      throw std::runtime_error(fmt::format("{} {}: malformed answer", method, path));
    }
    if (head.state == ResponseHead::State::complete &&
        in.size() >= head.head_size + head.content_length) {
      return SetupAnswer{head.status, in.substr(head.head_size, head.content_length)};
    }
    const auto n = socket.read_some(asio::buffer(chunk), ec);
    if (ec) throw std::runtime_error(fmt::format("{} {}: {}", method, path, ec.message()));
    in.append(chunk, n);
  }
}

}  // namespace seckill::loadgen
