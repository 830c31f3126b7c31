#include "chaos/loopback_proxy.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <future>
#include <list>
#include <mutex>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace seckill::testing {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// One proxied connection: what the client opened and what the proxy opened upstream.
struct Link {
  explicit Link(tcp::socket client_side)
      : client(std::move(client_side)), server(client.get_executor()) {}
  tcp::socket client;
  tcp::socket server;

  void close() {
    boost::system::error_code ignored;
    client.close(ignored);
    server.close(ignored);
  }
};

asio::awaitable<void> wait_while_frozen(const std::atomic<bool>& frozen) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (frozen.load()) {
    timer.expires_after(std::chrono::milliseconds(10));
    co_await timer.async_wait(asio::use_awaitable);
  }
}

// Moves bytes from `from` to `to` until either side fails, then closes both.
asio::awaitable<void> pump(std::shared_ptr<Link> link, bool upstream,
                           const std::atomic<bool>* frozen) {
  auto& from = upstream ? link->client : link->server;
  auto& to = upstream ? link->server : link->client;
  std::array<char, 16384> buffer{};
  try {
    for (;;) {
      auto n = co_await from.async_read_some(asio::buffer(buffer), asio::use_awaitable);
      co_await wait_while_frozen(*frozen);
      co_await asio::async_write(to, asio::buffer(buffer.data(), n), asio::use_awaitable);
    }
  } catch (const boost::system::system_error&) {
    // Either side closed or was cut: the other side is closed too.
  }
  link->close();
}

}  // namespace

struct LoopbackProxy::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  tcp::endpoint upstream;
  unsigned short port = 0;
  std::atomic<bool> frozen{false};
  std::list<std::weak_ptr<Link>> links;  // touched on the io thread only
  std::atomic<int> open{0};
  std::thread thread;

  static asio::awaitable<void> connect_and_pump(Impl* self, std::shared_ptr<Link> link) {
    try {
      co_await wait_while_frozen(self->frozen);
      co_await link->server.async_connect(self->upstream, asio::use_awaitable);
    } catch (const boost::system::system_error&) {
      link->close();
      co_return;
    }
    self->open.fetch_add(1);
    auto done = std::make_shared<int>(2);
    auto finished = [self, done](std::exception_ptr) {
      if (--*done == 0) self->open.fetch_sub(1);
    };
    asio::co_spawn(self->io, pump(link, true, &self->frozen), finished);
    asio::co_spawn(self->io, pump(link, false, &self->frozen), finished);
  }

  static asio::awaitable<void> accept_loop(Impl* self) {
    for (;;) {
      tcp::socket socket(self->io);
      try {
        co_await self->acceptor.async_accept(socket, asio::use_awaitable);
      } catch (const boost::system::system_error&) {
        co_return;  // the acceptor was closed: the proxy is going away
      }
      socket.set_option(tcp::no_delay(true));
      auto link = std::make_shared<Link>(std::move(socket));
      std::erase_if(self->links, [](const std::weak_ptr<Link>& l) { return l.expired(); });
      self->links.push_back(link);
      asio::co_spawn(self->io, connect_and_pump(self, std::move(link)), asio::detached);
    }
  }

  // Runs `f` on the io thread and waits for it.
  template <class F>
  void on_io_thread(F f) {
    std::promise<void> done;
    asio::post(io, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }
};

LoopbackProxy::LoopbackProxy(unsigned short upstream_port) : impl_(std::make_unique<Impl>()) {
  impl_->upstream = tcp::endpoint(asio::ip::make_address("127.0.0.1"), upstream_port);
  tcp::endpoint local(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(local.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(local);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->io, Impl::accept_loop(impl_.get()), asio::detached);
  impl_->thread = std::thread([io = &impl_->io] { io->run(); });
}

LoopbackProxy::~LoopbackProxy() {
  impl_->frozen.store(false);
  impl_->on_io_thread([this] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    for (auto& l : impl_->links)
      if (auto link = l.lock()) link->close();
  });
  impl_->io.stop();
  impl_->thread.join();
}

unsigned short LoopbackProxy::port() const {
  return impl_->port;
}

void LoopbackProxy::freeze() {
  impl_->frozen.store(true);
}

void LoopbackProxy::thaw() {
  impl_->frozen.store(false);
}

void LoopbackProxy::cut() {
  impl_->on_io_thread([this] {
    for (auto& l : impl_->links)
      if (auto link = l.lock()) link->close();
    impl_->links.clear();
  });
}

int LoopbackProxy::connections() const {
  return impl_->open.load();
}

}  // namespace seckill::testing
