#pragma once
// One TCP (or TLS) connection to Redis shared by many coroutines, with automatic pipelining.

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "redis/command_args.hpp"
#include "redis/connection_options.hpp"
#include "redis/reply.hpp"

namespace seckill::redis {

class Script;

/// A Redis connection that any number of coroutines use at once.
///
/// Pipelining: each `command()` appends its encoded request to an output buffer and waits; one
/// writer coroutine sends everything accumulated in a single write, one reader coroutine parses
/// the replies and hands them to the waiting requests in FIFO order, resuming each caller inline
/// when it runs on this thread. Per request there is no allocation of ours besides the coroutine
/// frames (recycled by Asio): the waiting request is a node in the caller's frame, the buffers
/// are reused, and one timer per connection watches the oldest request's deadline.
///
/// Failures (all derive from seckill::InfraError; see core/infra_error.hpp):
///  - IoError: not connected (the connection is being re-established: requests fail fast rather
///    than queue), the connection broke while the request was in flight, too many requests in
///    flight (`max_pending`), or the connection was closed.
///  - TimeoutError: no reply within `request_timeout`; the connection is then reset.
///  - ProtocolError: Redis sent something that is not RESP2; the connection is then reset.
/// A request in flight when the connection breaks is never retried: it may have run.
/// Redis error replies (`-ERR ...`) are not exceptions here: they come back as a Reply whose
/// accessors throw ReplyError.
///
/// After `connect()` (or `start()`) the connection keeps itself connected: when it breaks it
/// reconnects with exponential backoff (`reconnect_min` doubling up to `reconnect_max`),
/// authenticates and selects the DB again. Refused credentials are logged (once per run of
/// failures) and retried like any failure: requests fail fast with IoError meanwhile.
///
/// Thread-safety: a Connection belongs to its executor. Every member function except the
/// destructor, `get_executor()` and `connected()` must be called from a coroutine or handler
/// running on that executor, which must be single-threaded (an io_context run by one thread, or
/// a strand). Use Client to call Redis from anywhere. The destructor may run on any thread: it
/// closes the connection on its executor.
///
/// Blocking commands (BLPOP, XREADGROUP ... BLOCK) would stall every request queued behind them:
/// send them only on a connection of their own (`Client::dedicated()`), with a per-request
/// timeout longer than the blocking time.
class Connection {
 public:
  /// Does not connect yet: call `connect()` or `start()`.
  Connection(boost::asio::any_io_executor executor, ConnectionOptions options);
  ~Connection();
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;

  /// Starts connecting (if not started) and waits for the outcome of the next attempt: TCP,
  /// AUTH when the endpoint has credentials, SELECT when its DB is not 0. Throws IoError,
  /// TimeoutError, AuthError (credentials refused or missing, see auth_error.hpp) or ReplyError
  /// (SELECT refused) if it fails; the connection then keeps retrying in the background.
  boost::asio::awaitable<void> connect();

  /// Starts connecting in the background without waiting.
  void start();

  /// Sends one command, e.g. `co_await c.command({"INCRBY", key, "100"})`, and returns its reply.
  /// The argument bytes are copied into the output buffer before the first suspension; they must
  /// stay valid until then, which awaiting the result at once guarantees. Throws
  /// std::invalid_argument for an empty command.
  boost::asio::awaitable<Reply> command(CommandArgs args);

  /// The same with its own reply timeout instead of `request_timeout` (0: none), for blocking
  /// commands on a dedicated connection. Deadlines are checked in FIFO order: on a connection
  /// shared with other requests, a shorter timeout than those ahead of it is noticed late.
  boost::asio::awaitable<Reply> command(CommandArgs args, std::chrono::milliseconds timeout);

  /// Runs `script` with EVALSHA; on NOSCRIPT loads it (SCRIPT LOAD) and retries once, which is
  /// safe because NOSCRIPT means it did not run. The Connection, `script` and the referenced
  /// keys and arguments must outlive the call (await it at once).
  boost::asio::awaitable<Reply> eval(const Script& script, CommandArgs keys, CommandArgs args);

  /// Closes the socket and fails every waiting request with IoError; no reconnection after.
  void close();

  /// Whether the connection is up right now (safe from any thread; a hint, it may change).
  bool connected() const;

  const boost::asio::any_io_executor& get_executor() const;
  const ConnectionOptions& options() const;

 private:
  friend class Client;
  class Impl;

  /// Sends an already encoded command (exactly one reply expected). The returned awaitable may be
  /// created on any thread and must run on this connection's executor.
  boost::asio::awaitable<Reply> command_encoded(std::string encoded) const;
  /// start() / close() from any thread: run on the connection's executor.
  void start_on_executor() const;
  void close_on_executor() const;

  std::shared_ptr<Impl> impl_;
};

}  // namespace seckill::redis
