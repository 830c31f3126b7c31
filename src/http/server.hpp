#pragma once
// The HTTP/1.1 server: one acceptor and its connections per io_context.

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "http/limits.hpp"
#include "http/router.hpp"
#include "http/trusted_proxies.hpp"

namespace seckill::http {

namespace detail {
struct ServerState;
}

/// Serves HTTP/1.1 (keep-alive, pipelining, 100-continue) on several io_contexts, each run by
/// one thread. Every io_context gets its own acceptor bound to the same address with
/// SO_REUSEPORT, so the kernel spreads connections over them and a connection lives entirely on
/// one thread: no locks on the request path. One coroutine serves one connection; the limits
/// and timeouts are in ServerLimits.
///
/// Typical use:
///
///   std::vector<boost::asio::io_context*> ios = ...;      // one per I/O thread
///   auth::TokenVerifier verifier(secret);
///   http::Router router(&verifier);
///   http::add_health_routes(router, {{"redis", redis_probe}});
///   router.add(verb::post, "/api/v1/vouchers/{id:u64}/orders", order_handler,
///   Access::authenticated); http::Server server(ios, endpoint, router);            // binds;
///   throws if it cannot server.start();                                        // accepts once the
///   io_contexts run
///   ... run each io_context on its thread ...
///   server.stop([&] { /* every connection is closed */ });  // e.g. from a signal handler
///
/// Lifetimes: the io_contexts and the Router outlive the Server; the Server lives until
/// stop()'s callback has run or the io_contexts have stopped running.
class Server {
 public:
  /// Opens one acceptor per io_context on `endpoint` (SO_REUSEADDR and SO_REUSEPORT). With
  /// port 0, the first acceptor gets a free port from the kernel and the others bind to that
  /// same port. Throws boost::system::system_error if an address cannot be bound, and
  /// std::invalid_argument if `contexts` is empty.
  Server(std::vector<boost::asio::io_context*> contexts,
         const boost::asio::ip::tcp::endpoint& endpoint, const Router& router,
         ServerLimits limits = {});
  /// Closes the acceptors. Must not run while an io_context of this server is running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Believes X-Forwarded-For from these peers (http/trusted_proxies.hpp): the client address
  /// it names is what the Router is given (per-address rate limits) and what the request log
  /// line prints. Their connections are not capped by max_connections_per_address. Call before
  /// start().
  void trust_proxies(TrustedProxies proxies);

  /// Starts the accept loops; they run when their io_contexts run. Call once. Thread-safe.
  void start();

  /// The bound address, with the actual port when 0 was asked for.
  boost::asio::ip::tcp::endpoint local_endpoint() const { return endpoint_; }

  /// The first step of a drain: from now on every response carries `Connection: close` and its
  /// connection closes after it, while the listener still accepts. Clients (a balancer's
  /// keep-alive pool) thus open new connections, which a balancer that has seen /readyz turn 503
  /// opens elsewhere, and few idle connections are left for stop() to close under a client
  /// about to send on them. Thread-safe; stop() later as usual.
  void close_keep_alive();

  /// Graceful shutdown; returns at once, from any thread. Every acceptor closes (new
  /// connections are refused by the kernel); idle connections are closed; a connection in the
  /// middle of a request finishes it, answers with `Connection: close`, and closes. After
  /// ServerLimits::shutdown_grace whatever is still open is closed. `on_stopped` then runs once,
  /// on one of the I/O threads. Calls after the first do nothing (their callback is dropped).
  void stop(std::function<void()> on_stopped = {});

  /// Open connections over all threads (for metrics and tests).
  std::size_t connection_count() const;

 private:
  std::vector<boost::asio::io_context*> contexts_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
  std::shared_ptr<detail::ServerState> state_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
};

}  // namespace seckill::http
