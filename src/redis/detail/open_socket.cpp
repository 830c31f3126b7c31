#include "redis/detail/open_socket.hpp"

#include <array>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "core/infra_error.hpp"
#include "redis/auth_error.hpp"
#include "redis/command_encoder.hpp"
#include "redis/reply_parser.hpp"

namespace seckill::redis::detail {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

// Shared between the connect coroutine and its watchdog timer's handler. The handler may run
// after the coroutine is gone (its expiry was already queued when the timer was destroyed): it
// then sees `done` and touches nothing else.
struct Watch {
  bool done = false;
  bool fired = false;
};

struct MarkDone {
  std::shared_ptr<Watch> watch;
  ~MarkDone() { watch->done = true; }
};

// SSL_set_tlsext_host_name without its C cast (a macro over SSL_ctrl).
long set_server_name(SSL* ssl, const std::string& host) {
  return SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                  static_cast<void*>(const_cast<char*>(host.c_str())));
}

}  // namespace

asio::awaitable<void> open_socket(Stream& stream, const RedisUrl& endpoint, asio::ssl::context* tls,
                                  std::chrono::milliseconds timeout) {
  stream.reset();
  tcp::socket& socket = stream.socket();
  auto ex = socket.get_executor();
  error_code ignored;

  auto watch = std::make_shared<Watch>();
  MarkDone mark{watch};
  tcp::resolver resolver(ex);
  asio::steady_timer watchdog(ex, timeout);
  watchdog.async_wait([watch, &socket, &resolver](error_code ec) {
    if (ec || watch->done) return;
    watch->fired = true;
    error_code ignore;
    socket.close(ignore);
    resolver.cancel();
  });

  const std::string where = fmt::format("redis {}:{}", endpoint.host, endpoint.port);
  // Throws the failure of `step`: a timeout if the watchdog fired, an I/O error otherwise.
  auto fail = [&](std::string_view step, const error_code& ec) {
    socket.close(ignored);
    if (watch->fired) {
      throw TimeoutError(fmt::format("{}: {} timed out after {} ms", where, step, timeout.count()));
    }
    throw IoError(fmt::format("{}: {}: {}", where, step, ec.message()));
  };

  error_code ec;
  auto address = asio::ip::make_address(endpoint.host, ec);
  if (!ec) {
    std::tie(ec) = co_await socket.async_connect(tcp::endpoint(address, endpoint.port),
                                                 asio::as_tuple(asio::use_awaitable));
  } else {
    auto [rec, results] = co_await resolver.async_resolve(
        endpoint.host, std::to_string(endpoint.port), asio::as_tuple(asio::use_awaitable));
    if (rec) fail("resolve", rec);
    std::tie(ec, std::ignore) =
        co_await asio::async_connect(socket, results, asio::as_tuple(asio::use_awaitable));
  }
  if (!ec && watch->fired) ec = asio::error::operation_aborted;
  if (ec) fail("connect", ec);
  socket.set_option(tcp::no_delay(true), ignored);
  socket.set_option(asio::socket_base::keep_alive(true), ignored);

  if (endpoint.tls) {
    if (tls == nullptr) throw IoError(fmt::format("{}: rediss:// without a TLS context", where));
    auto& session = stream.start_tls(*tls);
    error_code not_ip;
    (void)asio::ip::make_address(endpoint.host, not_ip);
    // SNI for a name (never for an IP: RFC 6066); the certificate must match the name or IP.
    if (not_ip && set_server_name(session.native_handle(), endpoint.host) != 1) {
      fail("TLS (server name)", asio::error::invalid_argument);
    }
    session.set_verify_mode(asio::ssl::verify_peer);
    session.set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
    auto [hec] = co_await session.async_handshake(asio::ssl::stream_base::client,
                                                  asio::as_tuple(asio::use_awaitable));
    if (!hec && watch->fired) hec = asio::error::operation_aborted;
    if (hec) fail("TLS handshake", hec);
  }

  // AUTH then SELECT, pipelined: one round trip, replies in order.
  std::string request;
  std::vector<std::string_view> steps;
  if (endpoint.has_credentials()) {
    std::vector<std::string_view> auth{"AUTH"};
    if (!endpoint.user.empty()) auth.push_back(endpoint.user);
    auth.push_back(endpoint.password);
    append_command(request, auth);
    steps.push_back("AUTH");
  }
  const std::string db = std::to_string(endpoint.db);
  if (endpoint.db != 0) {
    const std::array<std::string_view, 2> select{"SELECT", db};
    append_command(request, select);
    steps.push_back("SELECT");
  }
  if (endpoint.sentinel()) {
    const std::array<std::string_view, 1> role{"ROLE"};
    append_command(request, role);
    steps.push_back("ROLE");
  }
  if (steps.empty()) co_return;

  auto [wec, wn] =
      co_await stream.async_write_all(asio::buffer(request), asio::as_tuple(asio::use_awaitable));
  ec = wec;
  ReplyParser parser;
  std::vector<Reply> replies;
  std::array<char, 512> buf{};
  while (!ec && replies.size() < steps.size()) {
    auto [rec, n] =
        co_await stream.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    ec = rec;
    if (!ec) {
      parser.feed(std::string_view(buf.data(), n));
      while (std::optional<Reply> reply = parser.next())
        replies.push_back(std::move(*reply));
    }
  }
  if (!ec && watch->fired) ec = asio::error::operation_aborted;
  if (ec) fail(steps.front(), ec);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i] == "ROLE" && !replies[i].is_error()) {
      // ROLE: ["master", offset, replicas], ["slave", host, port, state, offset], ...
      const Reply& reply = replies[i];
      std::string_view role = "?";
      if (reply.is_array() && !reply.elements().empty() && reply.elements()[0].is_string()) {
        role = reply.elements()[0].as_string();
      }
      if (role == "master") continue;
      socket.close(ignored);
      throw IoError(fmt::format("{}: named master of '{}' by a sentinel, but its role is '{}'",
                                where, endpoint.sentinel_master, role));
    }
    if (!replies[i].is_error()) continue;
    socket.close(ignored);
    const std::string_view message = replies[i].error_message();
    // A refused AUTH, or NOAUTH to SELECT (the server wants credentials we did not give): a
    // configuration mistake, which retrying does not fix.
    if (steps[i] == "AUTH" || message.starts_with("NOAUTH") || message.starts_with("WRONGPASS")) {
      throw AuthError(fmt::format("{}: {} refused: {}", where, steps[i], message));
    }
    throw ReplyError(
        fmt::format("{}: {}: {}", where, steps[i] == "ROLE" ? "ROLE" : "SELECT " + db, message));
  }
}

}  // namespace seckill::redis::detail
