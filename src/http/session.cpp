#include "http/session.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <iterator>
#include <optional>
#include <string>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <spdlog/spdlog.h>

#include "http/error_response.hpp"
#include "http/request_head.hpp"
#include "http/request_id.hpp"

namespace seckill::http::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 16 * 1024;
/// A client that keeps sending after an error answer is cut off after this much.
constexpr std::size_t kMaxLingerBytes = 4 * 1024 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

/// Uncounts the connection when its coroutine ends, and wakes a drain waiting for the last one.
class ConnectionGuard {
 public:
  ConnectionGuard(ServerState& state, Worker& worker, const boost::asio::ip::address& peer,
                  bool address_counted)
      : state_(state), worker_(worker), peer_(peer), address_counted_(address_counted) {}
  ~ConnectionGuard() {
    if (address_counted_) state_.per_address.remove(peer_);
    state_.connections.fetch_sub(1, std::memory_order_relaxed);
    if (worker_.draining && worker_.sessions.empty() && worker_.drain_timer != nullptr) {
      worker_.drain_timer->cancel();
    }
  }
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;

 private:
  ServerState& state_;
  Worker& worker_;
  const boost::asio::ip::address& peer_;
  bool address_counted_;
};

/// The answer owed to a request that could not be read, or nullopt when there is nobody to
/// answer (the client left, timed out, or the socket failed).
std::optional<Failure> failure_for(const beast::error_code& ec, const ServerLimits& limits) {
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    return Failure{ErrorCode::headers_too_large,
                   "request headers exceed " + std::to_string(limits.max_header_bytes) + " bytes",
                   {}};
  }
  if (ec == bhttp::error::body_limit) {
    return Failure{ErrorCode::payload_too_large,
                   "request body exceeds " + std::to_string(limits.max_body_bytes) + " bytes",
                   {}};
  }
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
    return std::nullopt;
  }
  static const auto& kHttpCategory = bhttp::make_error_code(bhttp::error::bad_target).category();
  if (ec.category() == kHttpCategory) {
    return Failure{ErrorCode::bad_request, "malformed HTTP request: " + ec.message(), {}};
  }
  return std::nullopt;
}

/// `with_body` false: the head only (the answer to HEAD, RFC 9110 9.3.2), whose Content-Length
/// is still the body's.
std::array<asio::const_buffer, 2> response_buffers(const std::string& head,
                                                   const Response& response,
                                                   bool with_body = true) {
  auto body = with_body ? response.body() : std::string_view();
  return {asio::buffer(head), asio::buffer(body.data(), body.size())};
}

/// Writes an error answer, stops sending, and reads (and drops) what the client still sends
/// for a while, so that closing does not reset the connection before the client has read the
/// answer. `stream`, `buffer` and `response` belong to the calling session's frame.
///
/// Callers pass named objects only: GCC 12 can destroy a non-trivial temporary in a co_await
/// expression twice, so no co_await in this file has one.
asio::awaitable<void> answer_and_close(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                       const Response& response, const ServerLimits& limits) {
  std::string head;
  response.serialize_head(head, false, 11);
  stream.expires_after(limits.write_timeout);
  const auto buffers = response_buffers(head, response);
  auto [ec, n] = co_await asio::async_write(stream, buffers, kTuple);
  if (ec) co_return;
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.expires_after(limits.linger_timeout);
  std::size_t drained = 0;
  std::size_t chunk = std::min(limits.read_buffer_bytes, kReadChunk);
  while (drained < kMaxLingerBytes) {
    buffer.consume(buffer.size());
    auto [rec, rn] = co_await stream.async_read_some(buffer.prepare(chunk), kTuple);
    if (rec) break;
    drained += rn;
  }
}

/// The StreamWriter of a streamed response: writes straight to the connection's socket.
class SocketStreamWriter final : public StreamWriter {
 public:
  SocketStreamWriter(beast::tcp_stream& stream, const ServerLimits& limits, const Worker& worker)
      : stream_(stream), limits_(limits), worker_(worker) {}
  asio::awaitable<bool> write(std::string_view chunk) override {
    stream_.expires_after(limits_.write_timeout);
    const auto buffer = asio::buffer(chunk.data(), chunk.size());
    auto [ec, n] = co_await asio::async_write(stream_, buffer, kTuple);
    co_return !ec;
  }
  bool stopping() const override { return worker_.draining; }

 private:
  beast::tcp_stream& stream_;
  const ServerLimits& limits_;
  const Worker& worker_;
};

bool expects_continue(const Request& request) {
  auto it = request.find(bhttp::field::expect);
  return it != request.end() && beast::iequals(it->value(), "100-continue");
}

}  // namespace

asio::awaitable<void> run_session(tcp::socket socket, std::shared_ptr<ServerState> state,
                                  Worker* worker, asio::ip::address peer, bool address_counted) {
  ConnectionGuard guard(*state, *worker, peer, address_counted);
  beast::tcp_stream stream(std::move(socket));
  SessionLink link(stream);
  worker->sessions.push_back(link);

  const ServerLimits& limits = state->limits;
  const std::size_t chunk = std::min(limits.read_buffer_bytes, kReadChunk);
  beast::flat_buffer buffer(limits.read_buffer_bytes);
  std::string head;  // reused for every response head: no allocation after the first
  bool first = true;
  beast::error_code ec;
  std::size_t n = 0;

  for (;;) {
    // Wait for the next request with the idle timeout; once its first byte is here, the whole
    // request must arrive within request_timeout.
    if (buffer.size() == 0) {
      if (worker->draining) break;
      link.idle = true;
      stream.expires_after(first ? limits.request_timeout : limits.idle_timeout);
      std::tie(ec, n) = co_await stream.async_read_some(buffer.prepare(chunk), kTuple);
      link.idle = false;
      if (ec) break;
      buffer.commit(n);
    }
    first = false;

    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
    parser.body_limit(limits.max_body_bytes);
    const auto deadline = std::chrono::steady_clock::now() + limits.request_timeout;
    stream.expires_at(deadline);
    std::tie(ec, n) = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
    if (!ec) {
      const auto& fields = parser.get();
      if (static_cast<std::size_t>(std::distance(fields.begin(), fields.end())) >
          limits.max_header_count) {
        const Response answer = error_response(
            {ErrorCode::headers_too_large,
             "more than " + std::to_string(limits.max_header_count) + " header fields",
             {}});
        co_await answer_and_close(stream, buffer, answer, limits);
        break;
      }
      // Framing the body could be read by rules a proxy in front does not share: refuse it
      // before reading a byte of the body.
      if (auto failure = check_request_head(fields)) {
        const Response answer = error_response(*failure);
        co_await answer_and_close(stream, buffer, answer, limits);
        break;
      }
    }
    if (!ec && !parser.is_done()) {
      if (expects_continue(parser.get())) {
        stream.expires_after(limits.write_timeout);
        std::tie(ec, n) = co_await asio::async_write(stream, asio::buffer(kContinue), kTuple);
        if (ec) break;
        stream.expires_at(deadline);
      }
      std::tie(ec, n) = co_await bhttp::async_read(stream, buffer, parser, kTuple);
    }
    if (ec) {
      if (auto failure = failure_for(ec, limits)) {
        const Response answer = error_response(*failure);
        co_await answer_and_close(stream, buffer, answer, limits);
      }
      break;
    }

    Request request = parser.release();
    const unsigned version = request.version();
    bool keep_alive = request.keep_alive();
    const auto started = std::chrono::steady_clock::now();
    const std::string request_id = ensure_request_id(request);
    std::size_t route = Router::kNoRoute;
    // Behind a trusted balancer, the client its X-Forwarded-For names; else the peer.
    const asio::ip::address client = state->trusted_proxies.empty()
                                         ? peer
                                         : state->trusted_proxies.client_address(peer, request);
    Response response = co_await state->router->handle(request, client, &route);
    if (auto* metrics = state->router->metrics()) {
      metrics->observe(route, static_cast<unsigned>(response.status()),
                       std::chrono::steady_clock::now() - started);
    }
    response.set_request_id(request_id);
    if (spdlog::should_log(spdlog::level::debug)) {
      // The route pattern, never the target: a query may hold a token (/api/v1/events).
      spdlog::debug("request request_id={} client={} method={} route={} status={} duration_us={}",
                    request_id, client.to_string(), request.method_string(),
                    state->router->route_pattern(route), static_cast<unsigned>(response.status()),
                    std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count());
    }
    if (response.withheld()) {
      // No answer at all (an unknown outcome): the client sees the connection close.
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      break;
    }
    keep_alive = keep_alive && !response.closes_connection() && !worker->draining &&
                 !state->closing_keep_alive.load(std::memory_order_relaxed);
    response.serialize_head(head, keep_alive, version);
    stream.expires_after(limits.write_timeout);
    const bool head_only = request.method() == bhttp::verb::head;
    const auto buffers = response_buffers(head, response, !head_only);
    std::tie(ec, n) = co_await asio::async_write(stream, buffers, kTuple);
    if (ec) break;
    if (head_only && response.stream()) {
      // A stream's head says nothing of its end: close after it, like after the stream.
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      break;
    }
    if (const auto& body_stream = response.stream()) {
      SocketStreamWriter writer(stream, limits, *worker);
      co_await (*body_stream)(writer);
      break;
    }
    if (!keep_alive) {
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      break;
    }
  }
}

}  // namespace seckill::http::detail
