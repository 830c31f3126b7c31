#include "redis/connection.hpp"

#include <atomic>
#include <optional>
#include <stdexcept>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/infra_error.hpp"
#include "redis/auth_error.hpp"
#include "redis/command_encoder.hpp"
#include "redis/detail/eval.hpp"
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

// The completion handler of a coroutine suspended in `async_initiate(..., use_awaitable)`: it
// owns that coroutine and resumes it when called. Stored by value in the waiting request, so a
// request costs no allocation of its own.
using Resume = asio::async_result<asio::use_awaitable_t<>, void()>::handler_type;

constexpr std::size_t kReadBufferSize = 64 * 1024;

enum class Failure : std::uint8_t { kNone, kIo, kLost, kTimeout, kProtocol, kReply, kAuth };

[[noreturn]] void throw_failure(Failure kind, const std::string& message) {
  switch (kind) {
    case Failure::kTimeout:
      throw TimeoutError(message);
    case Failure::kProtocol:
      throw ProtocolError(message);
    case Failure::kReply:
      throw ReplyError(message);
    case Failure::kAuth:
      throw AuthError(message);
    case Failure::kLost:
      throw ReplyLostError(message);
    case Failure::kNone:
    case Failure::kIo:
      break;
  }
  throw IoError(message);
}

// One request waiting for its reply, an intrusive node of the connection's FIFO. It lives in the
// frame of the coroutine that waits, which the connection resumes exactly once.
struct Request {
  Request* next = nullptr;
  Clock::time_point deadline;
  std::optional<Resume> resume;
  Reply reply;
  Failure failure = Failure::kNone;
  std::string message;

  Reply result() && {
    if (failure != Failure::kNone) throw_failure(failure, message);
    return std::move(reply);
  }
};

Clock::time_point deadline_after(std::chrono::milliseconds timeout) {
  return timeout.count() > 0 ? Clock::now() + timeout : Clock::time_point::max();
}

}  // namespace

class Connection::Impl : public std::enable_shared_from_this<Connection::Impl> {
 public:
  enum class State : std::uint8_t { kIdle, kConnecting, kConnected, kDisconnected, kClosed };

  Impl(asio::any_io_executor executor, ConnectionOptions options)
      : executor_(std::move(executor)),
        options_(std::move(options)),
        where_(options_.endpoint.sentinel()
                   ? fmt::format("redis master '{}'", options_.endpoint.sentinel_master)
                   : fmt::format("redis {}:{}", options_.endpoint.host, options_.endpoint.port)),
        tls_(options_.endpoint.tls && !options_.tls_context ? make_tls_context({})
                                                            : options_.tls_context),
        stream_(executor_),
        write_signal_(executor_, Clock::time_point::max()),
        sweep_timer_(executor_, Clock::time_point::max()),
        state_signal_(executor_, Clock::time_point::max()),
        backoff_timer_(executor_),
        read_buffer_(kReadBufferSize) {}

  ~Impl() {
    // Only reached when nothing runs on the executor any more (every coroutine of ours holds a
    // reference). Waiting requests are dropped with their coroutines, not resumed.
    while (head_ != nullptr) {
      Request* r = pop();
      Resume resume = std::move(*r->resume);
      r->resume.reset();
      // `resume` owns the frame that holds `r`: destroying it frees the waiting coroutine.
    }
  }

  // --- entry points (on the executor) ---

  void start() {
    if (state_ != State::kIdle) return;
    state_ = State::kConnecting;
    auto self = shared_from_this();
    asio::co_spawn(executor_, run(self), asio::detached);
    asio::co_spawn(executor_, write_loop(self), asio::detached);
    asio::co_spawn(executor_, sweep_loop(self), asio::detached);
  }

  static awaitable<void> connect(std::shared_ptr<Impl> self) {
    self->start();
    if (self->state_ == State::kConnected) co_return;
    const std::uint64_t attempts = self->attempts_;
    while (self->attempts_ == attempts && self->state_ != State::kClosed) {
      co_await self->state_signal_.async_wait(asio::as_tuple(use_awaitable));
    }
    if (self->state_ == State::kClosed) throw IoError(self->where_ + ": connection closed");
    if (self->state_ != State::kConnected) throw_failure(self->last_failure_, self->last_error_);
  }

  /// Throws unless a request can be queued right now.
  void check_usable() const {
    if (state_ == State::kConnected) {
      if (pending_ >= options_.max_pending) {
        throw IoError(fmt::format("{}: {} requests in flight, refusing more", where_, pending_));
      }
      return;
    }
    if (state_ == State::kClosed) throw IoError(where_ + ": connection closed");
    if (state_ == State::kIdle) throw IoError(where_ + ": not connected (call connect() first)");
    throw IoError(where_ + ": not connected" +
                  (last_error_.empty() ? std::string() : " (" + last_error_ + ")"));
  }

  /// Queues `request` whose encoding `encode` appends to the output buffer; `resume` completes it.
  template <typename Encode>
  void enqueue(Request& request, Resume&& resume, Encode&& encode,
               std::chrono::milliseconds timeout) {
    encode(out_);
    request.deadline = deadline_after(timeout);
    request.resume.emplace(std::move(resume));
    if (tail_ != nullptr) {
      tail_->next = &request;
    } else {
      head_ = &request;
    }
    tail_ = &request;
    ++pending_;
    if (request.deadline < sweep_expiry_) {
      sweep_expiry_ = request.deadline;
      sweep_timer_.expires_at(request.deadline);  // wakes the sweeper to re-arm
    }
    if (writer_idle_) {
      writer_idle_ = false;
      write_signal_.cancel();
    }
  }

  static awaitable<Reply> execute(std::shared_ptr<Impl> self, CommandArgs args,
                                  std::chrono::milliseconds timeout) {
    // `self` keeps the connection alive until the request is queued, and is released then: the
    // waiting coroutine is owned by the connection (through `resume`), not the other way round,
    // and touches only `request` once resumed.
    if (args.empty()) throw std::invalid_argument("redis: empty command");
    self->check_usable();
    Request request;
    co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
        [&](Resume resume) {
          self->enqueue(
              request, std::move(resume),
              [&](std::string& out) { append_command(out, args.view()); }, timeout);
          self.reset();
        },
        use_awaitable);
    co_return std::move(request).result();
  }

  static awaitable<Reply> execute_encoded(std::shared_ptr<Impl> self, std::string encoded,
                                          std::chrono::milliseconds timeout) {
    self->check_usable();
    Request request;
    co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
        [&](Resume resume) {
          self->enqueue(
              request, std::move(resume), [&](std::string& out) { out += encoded; }, timeout);
          self.reset();
        },
        use_awaitable);
    co_return std::move(request).result();
  }

  void close() {
    if (state_ == State::kClosed) return;
    const bool was_connected = state_ == State::kConnected;
    state_ = State::kClosed;
    connected_flag_.store(false, std::memory_order_relaxed);
    ++generation_;
    stream_.close();
    write_signal_.cancel();
    sweep_timer_.cancel();
    backoff_timer_.cancel();
    state_signal_.cancel();
    if (switch_watch_) switch_watch_->close();
    out_.clear();
    fail_all(was_connected ? Failure::kLost : Failure::kIo,
             where_ + (was_connected ? ": connection closed while waiting for reply"
                                     : ": connection closed"));
  }

  bool connected() const { return connected_flag_.load(std::memory_order_relaxed); }

  const asio::any_io_executor& executor() const { return executor_; }
  const ConnectionOptions& options() const { return options_; }

 private:
  Request* pop() {
    Request* r = head_;
    head_ = r->next;
    if (head_ == nullptr) tail_ = nullptr;
    r->next = nullptr;
    --pending_;
    return r;
  }

  // Fails every waiting request. Their coroutines are resumed through post, never inline: a
  // resumed caller may close or reuse this connection, which must not happen under our feet.
  void fail_all(Failure kind, const std::string& message) {
    while (head_ != nullptr) {
      Request* r = pop();
      r->failure = kind;
      r->message = message;
      Resume resume = std::move(*r->resume);
      r->resume.reset();
      asio::post(std::move(resume));
    }
  }

  // Ends the current session (if `generation` is still current): every request in flight fails,
  // and `run` reconnects.
  void drop(std::uint64_t generation, Failure kind, const std::string& message) {
    if (generation != generation_ || state_ != State::kConnected) return;
    ++generation_;
    state_ = State::kDisconnected;
    connected_flag_.store(false, std::memory_order_relaxed);
    last_failure_ = Failure::kIo;
    last_error_ = message;
    stream_.close();
    out_.clear();
    // What was in flight may have reached Redis and run: its outcome is unknown.
    fail_all(kind == Failure::kIo ? Failure::kLost : kind, message);
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
        ++self->attempts_;
        failures = 0;
        self->parser_.reset();
        self->state_ = State::kConnected;
        self->connected_flag_.store(true, std::memory_order_relaxed);
        self->last_error_.clear();
        self->state_signal_.cancel();
        co_await self->read_loop();
      } catch (const InfraError& e) {
        if (self->state_ == State::kClosed) break;
        ++self->attempts_;
        ++failures;
        self->last_error_ = e.what();
        const bool auth = dynamic_cast<const AuthError*>(&e) != nullptr;
        self->last_failure_ = dynamic_cast<const TimeoutError*>(&e) != nullptr ? Failure::kTimeout
                              : auth                                           ? Failure::kAuth
                              : dynamic_cast<const ReplyError*>(&e) != nullptr ? Failure::kReply
                                                                               : Failure::kIo;
        // Refused credentials are a mistake someone must fix: said once per run of failures
        // (the backoff keeps retrying, in case the server's password is what changes).
        if (auth && failures == 1) {
          spdlog::error("{} (requests get 503 until it authenticates; retrying)", e.what());
        }
        self->state_signal_.cancel();
      }
      if (self->state_ == State::kClosed) break;
      self->state_ = State::kDisconnected;
      self->backoff_timer_.expires_after(self->backoff(failures));
      co_await self->backoff_timer_.async_wait(asio::as_tuple(use_awaitable));
    }
  }

  // Through sentinels: a failover makes the old master a replica only once the sentinels
  // reconfigure it, seconds later, and it takes writes meanwhile. So the session ends as soon as
  // the sentinel that named the master announces a new one (+switch-master on its pub/sub).
  void follow_switches(const RedisUrl& endpoint) {
    const std::string address = endpoint.host + ":" + std::to_string(endpoint.port);
    if (address != master_address_) {
      master_address_ = address;
      spdlog::info("{}: connected to {}", where_, master_address_);
    }
    const SentinelAddress& sentinel = endpoint.sentinels.front();  // the one that answered
    if (switch_watch_ && watched_ == sentinel) return;
    watched_ = sentinel;
    switch_watch_ = watch_master_switches(
        executor_, endpoint, options_, [weak = weak_from_this()](std::string_view message) {
          auto self = weak.lock();
          if (!self) return;
          spdlog::warn("{}: the sentinels switched masters ({})", self->where_, message);
          self->drop(self->generation_, Failure::kIo,
                     self->where_ + ": the sentinels switched masters");
        });
  }

  std::chrono::milliseconds backoff(unsigned failures) const {
    auto delay = options_.reconnect_min;
    for (unsigned i = 1; i < failures && delay < options_.reconnect_max; ++i)
      delay *= 2;
    return std::min(delay, options_.reconnect_max);
  }

  // Reads replies and completes requests until the session ends.
  awaitable<void> read_loop() {
    const std::uint64_t generation = generation_;
    for (;;) {
      auto [ec, n] = co_await stream_.async_read_some(asio::buffer(read_buffer_),
                                                      asio::as_tuple(use_awaitable));
      if (generation != generation_) co_return;
      if (ec) {
        drop(generation, Failure::kIo,
             ec == asio::error::eof ? where_ + ": connection closed by the server"
                                    : fmt::format("{}: connection lost: {}", where_, ec.message()));
        co_return;
      }
      try {
        parser_.feed(std::string_view(read_buffer_.data(), n));
        while (std::optional<Reply> reply = parser_.next()) {
          if (head_ == nullptr) {
            throw ProtocolError(where_ + ": reply without a request: " + reply->to_debug_string());
          }
          bool demoted = false;
          if (reply->is_error()) [[unlikely]] {
            note_error_reply(reply->error_message());
            // A master found through sentinels that became a replica (a failover): this session
            // ends, and the next one asks the sentinels where the master is now.
            demoted =
                options_.endpoint.sentinel() && reply->error_message().starts_with("READONLY");
          }
          Request* r = pop();
          r->reply = std::move(*reply);
          Resume resume = std::move(*r->resume);
          r->resume.reset();
          // Inline when the waiter runs on this thread (the common case): the fastest hand-off,
          // and the caller's next command lands in the output buffer before the writer runs.
          asio::dispatch(std::move(resume));
          if (generation != generation_) co_return;
          if (demoted) {
            drop(generation, Failure::kIo,
                 where_ + ": the server is a replica now (READONLY): asking the sentinels again");
            co_return;
          }
        }
      } catch (const ProtocolError& e) {
        drop(generation, Failure::kProtocol, e.what());
        co_return;
      }
    }
  }

  // A server that wants credentials we did not give (or no longer accepts ours) answers every
  // command NOAUTH: each fails (503 up the stack); the log says why, once per session.
  void note_error_reply(std::string_view message) {
    if (auth_logged_generation_ == generation_) return;
    if (!message.starts_with("NOAUTH") && !message.starts_with("WRONGPASS")) return;
    auth_logged_generation_ = generation_;
    spdlog::error("{}: the server refuses our commands: {} (check the credentials in --redis)",
                  where_, message);
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
      const std::uint64_t generation = self->generation_;
      auto [ec, n] = co_await self->stream_.async_write_all(asio::buffer(self->writing_),
                                                            asio::as_tuple(use_awaitable));
      self->writing_.clear();
      if (ec) {
        self->drop(generation, Failure::kIo,
                   fmt::format("{}: connection lost: {}", self->where_, ec.message()));
      }
    }
  }

  // One timer per connection, set to the deadline of the oldest request.
  static awaitable<void> sweep_loop(std::shared_ptr<Impl> self) {
    while (self->state_ != State::kClosed) {
      Clock::time_point next = Clock::time_point::max();
      if (self->head_ != nullptr) {
        next = self->head_->deadline;
      } else if (self->options_.request_timeout.count() > 0) {
        // Any request queued from now on has a deadline after this: no need to re-arm for it.
        next = Clock::now() + self->options_.request_timeout;
      }
      self->sweep_expiry_ = next;
      self->sweep_timer_.expires_at(next);
      co_await self->sweep_timer_.async_wait(asio::as_tuple(use_awaitable));
      if (self->head_ != nullptr && self->head_->deadline <= Clock::now()) {
        self->drop(self->generation_, Failure::kTimeout,
                   fmt::format("{}: no reply within the request timeout (connection reset)",
                               self->where_));
      }
    }
  }

  asio::any_io_executor executor_;
  ConnectionOptions options_;
  std::string where_;
  std::shared_ptr<asio::ssl::context> tls_;  // rediss:// only
  detail::Stream stream_;
  asio::steady_timer write_signal_;  // never expires: cancel() wakes the idle writer
  asio::steady_timer sweep_timer_;
  asio::steady_timer state_signal_;  // never expires: cancel() wakes connect() waiters
  asio::steady_timer backoff_timer_;
  std::string out_;      // requests not yet handed to the socket
  std::string writing_;  // what the writer is sending now (swapped with out_, capacity kept)
  std::vector<char> read_buffer_;
  ReplyParser parser_;

  Request* head_ = nullptr;
  Request* tail_ = nullptr;
  std::size_t pending_ = 0;
  Clock::time_point sweep_expiry_ = Clock::time_point::max();

  State state_ = State::kIdle;
  std::atomic<bool> connected_flag_{false};
  bool writer_idle_ = false;
  std::uint64_t generation_ = 0;  // bumped whenever a session ends: stale completions see it
  std::uint64_t attempts_ = 0;
  std::uint64_t auth_logged_generation_ = ~std::uint64_t{0};
  Failure last_failure_ = Failure::kIo;
  std::string last_error_;
  std::string master_address_;              // through sentinels: the master's host:port, once known
  std::optional<Subscriber> switch_watch_;  // through sentinels: +switch-master of `watched_`
  SentinelAddress watched_;
};

Connection::Connection(asio::any_io_executor executor, ConnectionOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

Connection::~Connection() {
  if (!impl_) return;
  // On the executor's thread this closes at once; elsewhere the close is queued there. If the
  // executor never runs again, its destruction releases the Impl.
  auto executor = impl_->executor();
  asio::dispatch(executor, [impl = std::move(impl_)] { impl->close(); });
}

Connection::Connection(Connection&&) noexcept = default;

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    Connection dying(std::move(*this));
    impl_ = std::move(other.impl_);
  }
  return *this;
}

awaitable<void> Connection::connect() {
  return Impl::connect(impl_);
}

void Connection::start() {
  impl_->start();
}

awaitable<Reply> Connection::command(CommandArgs args) {
  return Impl::execute(impl_, args, impl_->options().request_timeout);
}

awaitable<Reply> Connection::command(CommandArgs args, std::chrono::milliseconds timeout) {
  return Impl::execute(impl_, args, timeout);
}

awaitable<Reply> Connection::command_encoded(std::string encoded) const {
  return Impl::execute_encoded(impl_, std::move(encoded), impl_->options().request_timeout);
}

awaitable<Reply> Connection::eval(const Script& script, CommandArgs keys, CommandArgs args) {
  return detail::eval_script(*this, script, keys, args);
}

void Connection::start_on_executor() const {
  asio::dispatch(impl_->executor(), [impl = impl_] { impl->start(); });
}

void Connection::close_on_executor() const {
  asio::dispatch(impl_->executor(), [impl = impl_] { impl->close(); });
}

void Connection::close() {
  if (impl_) impl_->close();
}

bool Connection::connected() const {
  return impl_ && impl_->connected();
}

const asio::any_io_executor& Connection::get_executor() const {
  return impl_->executor();
}

const ConnectionOptions& Connection::options() const {
  return impl_->options();
}

}  // namespace seckill::redis
