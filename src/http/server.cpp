#include "http/server.hpp"

#include <chrono>
#include <exception>
#include <stdexcept>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detail/socket_option.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "http/error_response.hpp"
#include "http/server_state.hpp"
#include "http/session.hpp"

namespace seckill::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

/// Completion of a detached coroutine: a coroutine that throws is a bug, so it is logged.
struct LogFailure {
  const char* what;
  void operator()(const std::exception_ptr& e) const {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("http {}: {}", what, ex.what());
    } catch (...) {
      spdlog::error("http {}: unknown exception", what);
    }
  }
};

/// Over the connection limit: a best-effort 503 (one non-blocking send into the empty socket
/// buffer, the request is never read) and close. Quick, and the client learns why.
void refuse(tcp::socket& socket, const std::string& bytes) {
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  socket.send(asio::buffer(bytes), 0, ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

asio::awaitable<void> accept_loop(tcp::acceptor* acceptor,
                                  std::shared_ptr<detail::ServerState> state,
                                  detail::Worker* worker) {
  auto executor = co_await asio::this_coro::executor;
  for (;;) {
    auto [ec, socket] = co_await acceptor->async_accept(kTuple);
    if (ec == asio::error::operation_aborted || worker->draining) co_return;
    if (ec) {
      // Typically EMFILE: out of descriptors. Pausing lets connections close instead of
      // spinning on a listen queue that cannot be served.
      spdlog::warn("http accept failed: {}", ec.message());
      asio::steady_timer pause(executor, std::chrono::milliseconds(50));
      co_await pause.async_wait(kTuple);
      continue;
    }
    if (state->connections.fetch_add(1, std::memory_order_relaxed) >=
        state->limits.max_connections) {
      state->connections.fetch_sub(1, std::memory_order_relaxed);
      refuse(socket, state->refusal);
      continue;
    }
    boost::system::error_code peer_ec;
    const asio::ip::address peer = socket.remote_endpoint(peer_ec).address();
    bool address_counted = false;
    if (const std::size_t cap = state->limits.max_connections_per_address;
        cap != 0 && !peer_ec && !state->trusted_proxies.contains(peer)) {
      if (!state->per_address.try_add(peer, cap)) {
        state->connections.fetch_sub(1, std::memory_order_relaxed);
        refuse(socket, state->refusal);
        continue;
      }
      address_counted = true;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(executor,
                   detail::run_session(std::move(socket), state, worker, peer, address_counted),
                   LogFailure{"connection"});
  }
}

asio::awaitable<void> drain(std::shared_ptr<detail::ServerState> state, detail::Worker* worker) {
  worker->draining = true;
  boost::system::error_code ignored;
  for (auto& session : worker->sessions) {
    if (session.idle) session.stream->socket().cancel(ignored);
  }
  if (!worker->sessions.empty()) {
    asio::steady_timer timer(co_await asio::this_coro::executor, state->limits.shutdown_grace);
    worker->drain_timer = &timer;
    co_await timer.async_wait(kTuple);
    worker->drain_timer = nullptr;
    if (!worker->sessions.empty()) {
      spdlog::warn("http shutdown: closing connections still busy after the grace period");
    }
    for (auto& session : worker->sessions)
      session.stream->socket().close(ignored);
  }
  if (state->workers_draining.fetch_sub(1) == 1 && state->on_stopped) state->on_stopped();
}

std::string serialize(const Response& response) {
  std::string out;
  response.serialize_head(out, false, 11);
  out.append(response.body());
  return out;
}

}  // namespace

Server::Server(std::vector<asio::io_context*> contexts, const tcp::endpoint& endpoint,
               const Router& router, ServerLimits limits)
    : contexts_(std::move(contexts)), state_(std::make_shared<detail::ServerState>()) {
  if (contexts_.empty()) throw std::invalid_argument("http::Server needs an io_context");
  state_->router = &router;
  state_->limits = limits;
  state_->refusal = serialize(
      error_response({ErrorCode::unavailable, "too many open connections, try again later", {}}));
  tcp::endpoint bind_to = endpoint;
  for (auto* io : contexts_) {
    auto acceptor = std::make_unique<tcp::acceptor>(*io);
    acceptor->open(bind_to.protocol());
    acceptor->set_option(tcp::acceptor::reuse_address(true));
    acceptor->set_option(ReusePort(true));
    acceptor->bind(bind_to);
    acceptor->listen(asio::socket_base::max_listen_connections);
    if (acceptors_.empty()) bind_to = acceptor->local_endpoint();
    acceptors_.push_back(std::move(acceptor));
    state_->workers.push_back(std::make_unique<detail::Worker>());
  }
  endpoint_ = bind_to;
}

Server::~Server() {
  boost::system::error_code ignored;
  for (auto& acceptor : acceptors_)
    acceptor->close(ignored);
}

void Server::trust_proxies(TrustedProxies proxies) {
  state_->trusted_proxies = std::move(proxies);
}

void Server::start() {
  if (started_.exchange(true)) return;
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    asio::co_spawn(*contexts_[i],
                   accept_loop(acceptors_[i].get(), state_, state_->workers[i].get()),
                   LogFailure{"accept loop"});
  }
}

void Server::stop(std::function<void()> on_stopped) {
  if (stopping_.exchange(true)) return;
  state_->on_stopped = std::move(on_stopped);
  state_->workers_draining = contexts_.size();
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    // The acceptor and the worker belong to their io_context's thread: work on them there.
    asio::post(*contexts_[i], [this, i] {
      state_->workers[i]->draining = true;
      boost::system::error_code ignored;
      acceptors_[i]->close(ignored);
      asio::co_spawn(*contexts_[i], drain(state_, state_->workers[i].get()),
                     LogFailure{"shutdown"});
    });
  }
}

void Server::close_keep_alive() {
  state_->closing_keep_alive.store(true, std::memory_order_relaxed);
}

std::size_t Server::connection_count() const {
  return state_->connections.load(std::memory_order_relaxed);
}

}  // namespace seckill::http
