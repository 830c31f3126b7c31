#pragma once
// Internal to the server (server.cpp, session.cpp): the state its accept loops and connections
// share. Not part of the public API.

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/intrusive/list.hpp>

#include "http/address_connections.hpp"
#include "http/limits.hpp"
#include "http/router.hpp"
#include "http/trusted_proxies.hpp"

namespace seckill::http::detail {

/// One open connection as its worker sees it, so that stop() can find it. Lives in the
/// connection's coroutine frame and unlinks itself when destroyed.
struct SessionLink
    : boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
  explicit SessionLink(boost::beast::tcp_stream& s) : stream(&s) {}
  boost::beast::tcp_stream* stream;
  /// Waiting for the first byte of a request: nothing in flight, safe to close on shutdown.
  bool idle = false;
};

/// The connections of one io_context. Only ever touched from that io_context's thread, hence
/// no lock.
struct Worker {
  boost::intrusive::list<SessionLink, boost::intrusive::constant_time_size<false>> sessions;
  bool draining = false;
  /// While draining: woken when the last connection ends.
  boost::asio::steady_timer* drain_timer = nullptr;
};

/// Shared by the Server and every connection (through a shared_ptr), so that a connection
/// frame destroyed late (its io_context torn down after the Server) still finds it.
struct ServerState {
  const Router* router = nullptr;
  ServerLimits limits;
  /// The bytes sent to a connection refused for being over the connection limit.
  std::string refusal;
  std::atomic<std::size_t> connections{0};
  /// Server::close_keep_alive(): every response closes its connection.
  std::atomic<bool> closing_keep_alive{false};
  /// Open connections per peer address, when limits.max_connections_per_address is not 0.
  AddressConnections per_address;
  /// Peers whose X-Forwarded-For names the client (Server::trust_proxies()).
  TrustedProxies trusted_proxies;
  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<std::size_t> workers_draining{0};
  std::function<void()> on_stopped;
};

}  // namespace seckill::http::detail
