#include "redis/subscriber.hpp"

#include <atomic>
#include <set>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "core/infra_error.hpp"
#include "redis/auth_error.hpp"
#include "redis/command_encoder.hpp"
#include "redis/detail/open_socket.hpp"
#include "redis/detail/stream.hpp"
#include "redis/reply_parser.hpp"
#include "redis/sentinel_resolver.hpp"
#include "redis/tls_context.hpp"

namespace seckill::redis {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

}  // namespace

class Subscriber::Impl : public std::enable_shared_from_this<Subscriber::Impl> {
 public:
  enum class State : std::uint8_t { kIdle, kConnecting, kConnected, kDisconnected, kClosed };

  Impl(asio::any_io_executor executor, ConnectionOptions options, MessageHandler on_message)
      : executor_(std::move(executor)),
        options_(std::move(options)),
        on_message_(std::move(on_message)),
        tls_(options_.endpoint.tls && !options_.tls_context ? make_tls_context({})
                                                            : options_.tls_context),
        stream_(executor_),
        write_signal_(executor_, Clock::time_point::max()),
        state_signal_(executor_, Clock::time_point::max()),
        backoff_timer_(executor_),
        read_buffer_(16 * 1024) {}

  void subscribe(std::string channel) {
    auto [it, added] = channels_.insert(std::move(channel));
    if (!added || state_ != State::kConnected) return;
    ++unconfirmed_;
    ready_ = false;
    send({"SUBSCRIBE", *it});
  }

  void unsubscribe(std::string channel) {
    if (channels_.erase(channel) == 0 || state_ != State::kConnected) return;
    send({"UNSUBSCRIBE", channel});
  }

  void start() {
    if (state_ != State::kIdle) return;
    state_ = State::kConnecting;
    auto self = shared_from_this();
    asio::co_spawn(executor_, run(self), asio::detached);
    asio::co_spawn(executor_, write_loop(self), asio::detached);
  }

  static awaitable<void> connect(std::shared_ptr<Impl> self) {
    self->start();
    while (!self->ready_) {
      const std::uint64_t attempts = self->attempts_;
      while (self->attempts_ == attempts && !self->ready_ && self->state_ != State::kClosed) {
        co_await self->state_signal_.async_wait(asio::as_tuple(use_awaitable));
      }
      if (self->state_ == State::kClosed) throw IoError("redis subscriber: closed");
      if (self->ready_) break;
      if (self->state_ != State::kConnected) {
        if (self->last_timeout_) throw TimeoutError(self->last_error_);
        if (self->last_auth_) throw AuthError(self->last_error_);
        throw IoError(self->last_error_);
      }
    }
  }

  void close() {
    if (state_ == State::kClosed) return;
    if (switch_watch_) switch_watch_->close();
    state_ = State::kClosed;
    connected_flag_.store(false, std::memory_order_relaxed);
    ready_ = false;
    stream_.close();
    write_signal_.cancel();
    state_signal_.cancel();
    backoff_timer_.cancel();
  }

  bool connected() const { return connected_flag_.load(std::memory_order_relaxed); }
  const asio::any_io_executor& executor() const { return executor_; }

 private:
  void send(std::initializer_list<std::string_view> args) {
    append_command(out_, std::span<const std::string_view>(args.begin(), args.size()));
    if (writer_idle_) {
      writer_idle_ = false;
      write_signal_.cancel();
    }
  }

  static awaitable<void> run(std::shared_ptr<Impl> self) {
    unsigned failures = 0;
    while (self->state_ != State::kClosed) {
      self->state_ = State::kConnecting;
      try {
        // Through sentinels: asked again on every (re)connect, so a failover is followed.
        RedisUrl endpoint = self->options_.endpoint;
        if (endpoint.sentinel()) {
          endpoint = co_await resolve_master(std::move(endpoint), self->options_.connect_timeout);
        }
        if (self->state_ == State::kClosed) break;
        co_await detail::open_socket(self->stream_, endpoint, self->tls_.get(),
                                     self->options_.connect_timeout);
        if (self->state_ == State::kClosed) break;
        if (endpoint.sentinel()) self->follow_switches(endpoint);
        failures = 0;
        self->parser_.reset();
        self->out_.clear();
        self->state_ = State::kConnected;
        self->connected_flag_.store(true, std::memory_order_relaxed);
        self->unconfirmed_ = self->channels_.size();
        if (!self->channels_.empty()) {
          std::vector<std::string_view> args{"SUBSCRIBE"};
          args.insert(args.end(), self->channels_.begin(), self->channels_.end());
          append_command(self->out_, args);
          if (self->writer_idle_) {
            self->writer_idle_ = false;
            self->write_signal_.cancel();
          }
        }
        self->ready_ = self->unconfirmed_ == 0;
        ++self->attempts_;
        self->state_signal_.cancel();
        co_await self->read_loop();
      } catch (const InfraError& e) {
        if (self->state_ == State::kClosed) break;
        ++failures;
        ++self->attempts_;
        self->last_error_ = e.what();
        self->last_timeout_ = dynamic_cast<const TimeoutError*>(&e) != nullptr;
        self->last_auth_ = dynamic_cast<const AuthError*>(&e) != nullptr;
        if (self->last_auth_ && failures == 1) {
          spdlog::error("{} (subscriber; retrying)", e.what());
        }
        self->state_signal_.cancel();
      }
      if (self->state_ == State::kClosed) break;
      self->state_ = State::kDisconnected;
      self->connected_flag_.store(false, std::memory_order_relaxed);
      self->ready_ = false;
      auto delay = self->options_.reconnect_min;
      for (unsigned i = 1; i < failures && delay < self->options_.reconnect_max; ++i)
        delay *= 2;
      self->backoff_timer_.expires_after(std::min(delay, self->options_.reconnect_max));
      co_await self->backoff_timer_.async_wait(asio::as_tuple(use_awaitable));
    }
  }

  // Through sentinels: resubscribes on the new master as soon as the sentinel that named the
  // old one announces the switch (the old one keeps its subscribers until it is demoted).
  void follow_switches(const RedisUrl& endpoint) {
    const SentinelAddress& sentinel = endpoint.sentinels.front();
    if (switch_watch_ && watched_ == sentinel) return;
    watched_ = sentinel;
    switch_watch_.reset();
    switch_watch_ = std::make_unique<Subscriber>(watch_master_switches(
        executor_, endpoint, options_, [weak = weak_from_this()](std::string_view message) {
          auto self = weak.lock();
          if (!self || self->state_ != State::kConnected) return;
          spdlog::warn("redis subscriber: the sentinels switched masters ({})", message);
          self->stream_.close();  // the read loop ends, and the next session asks again
        }));
  }

  awaitable<void> read_loop() {
    for (;;) {
      auto [ec, n] = co_await stream_.async_read_some(asio::buffer(read_buffer_),
                                                      asio::as_tuple(use_awaitable));
      if (state_ != State::kConnected) co_return;
      if (ec) {
        stream_.close();
        last_error_ = "redis subscriber: connection lost: " + ec.message();
        last_timeout_ = false;
        co_return;
      }
      try {
        parser_.feed(std::string_view(read_buffer_.data(), n));
        while (std::optional<Reply> reply = parser_.next()) {
          handle(*reply);
          if (state_ != State::kConnected) co_return;
        }
      } catch (const ProtocolError& e) {
        stream_.close();
        last_error_ = e.what();
        co_return;
      }
    }
  }

  void handle(const Reply& reply) {
    if (!reply.is_array() || reply.elements().empty() || !reply.elements()[0].is_string()) return;
    auto parts = reply.elements();
    std::string_view kind = parts[0].as_string();
    if (kind == "message" && parts.size() == 3 && parts[1].is_string() && parts[2].is_string()) {
      try {
        on_message_(parts[1].as_string(), parts[2].as_string());
      } catch (...) {
        // Documented: a throwing handler loses its message, not the subscription.
      }
    } else if (kind == "subscribe" && unconfirmed_ > 0) {
      if (--unconfirmed_ == 0) {
        ready_ = true;
        state_signal_.cancel();
      }
    }
  }

  static awaitable<void> write_loop(std::shared_ptr<Impl> self) {
    while (self->state_ != State::kClosed) {
      if (self->out_.empty() || self->state_ != State::kConnected) {
        self->writer_idle_ = true;
        co_await self->write_signal_.async_wait(asio::as_tuple(use_awaitable));
        self->writer_idle_ = false;
        continue;
      }
      std::swap(self->out_, self->writing_);
      auto [ec, n] = co_await self->stream_.async_write_all(asio::buffer(self->writing_),
                                                            asio::as_tuple(use_awaitable));
      self->writing_.clear();
      if (ec) {
        // The reader sees the same broken socket and ends the session.
        self->stream_.close();
      }
    }
  }

  asio::any_io_executor executor_;
  ConnectionOptions options_;
  MessageHandler on_message_;
  std::shared_ptr<asio::ssl::context> tls_;  // rediss:// only
  detail::Stream stream_;
  asio::steady_timer write_signal_;
  asio::steady_timer state_signal_;
  asio::steady_timer backoff_timer_;
  std::vector<char> read_buffer_;
  ReplyParser parser_;
  std::string out_;
  std::string writing_;
  std::set<std::string, std::less<>> channels_;
  std::size_t unconfirmed_ = 0;
  bool ready_ = false;
  bool writer_idle_ = false;
  State state_ = State::kIdle;
  std::atomic<bool> connected_flag_{false};
  std::uint64_t attempts_ = 0;
  std::string last_error_;
  bool last_timeout_ = false;
  bool last_auth_ = false;
  std::unique_ptr<Subscriber> switch_watch_;  // through sentinels: +switch-master of `watched_`
  SentinelAddress watched_;
};

Subscriber::Subscriber(asio::any_io_executor executor, ConnectionOptions options,
                       MessageHandler on_message)
    : impl_(
          std::make_shared<Impl>(std::move(executor), std::move(options), std::move(on_message))) {}

Subscriber::~Subscriber() {
  if (!impl_) return;
  auto executor = impl_->executor();
  asio::dispatch(executor, [impl = std::move(impl_)] { impl->close(); });
}

Subscriber::Subscriber(Subscriber&&) noexcept = default;

Subscriber& Subscriber::operator=(Subscriber&& other) noexcept {
  if (this != &other) {
    Subscriber dying(std::move(*this));
    impl_ = std::move(other.impl_);
  }
  return *this;
}

void Subscriber::subscribe(std::string channel) {
  impl_->subscribe(std::move(channel));
}
void Subscriber::unsubscribe(std::string channel) {
  impl_->unsubscribe(std::move(channel));
}
awaitable<void> Subscriber::connect() {
  return Impl::connect(impl_);
}
void Subscriber::start() {
  impl_->start();
}
void Subscriber::close() {
  impl_->close();
}
bool Subscriber::connected() const {
  return impl_ && impl_->connected();
}

}  // namespace seckill::redis
