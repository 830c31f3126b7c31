#pragma once
// The Redis client the service uses: a few pipelined connections per I/O thread, callable from
// coroutines on any executor.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "metrics/backend_calls.hpp"
#include "redis/ack_replicas.hpp"
#include "redis/command_args.hpp"
#include "redis/connection.hpp"
#include "redis/connection_options.hpp"
#include "redis/reply.hpp"
#include "redis/script.hpp"
#include "redis/slot_map.hpp"

namespace seckill::redis {

class ClusterRouter;

struct ClientOptions {
  /// Endpoint, timeouts and reconnection of every connection of the pool.
  ConnectionOptions connection;
  /// Pipelined connections opened on each io_context (1 is usually enough: pipelining, not
  /// connection count, is what makes throughput).
  std::size_t connections_per_context = 1;
  /// Where command() and eval() are timed and their failures counted; null: nowhere. Must
  /// outlive the client.
  metrics::BackendCalls* calls = nullptr;
  /// Not empty: Redis Cluster mode, these nodes being the seeds the slot map is first asked of
  /// (`connection.endpoint` is then unused; see ClusterRouter). Empty: one Redis server.
  std::vector<RedisUrl> cluster_seeds;
};

/// A small pool of pipelined Connections: `connections_per_context` on each io_context given.
///
/// Routing: a call from a coroutine running on one of those io_contexts uses a connection living
/// there, with no thread hop. A call from anywhere else hops to a connection's executor and the
/// reply hops back (co_spawn), round-robin over the pool. Connections that are down are skipped;
/// when none is up the call fails at once with IoError.
///
/// Failures: as Connection::command (IoError, TimeoutError, ProtocolError; never a silent retry
/// of a request that may have run). Error replies come back as a Reply whose accessors throw
/// ReplyError.
///
/// Thread-safety: `command`, `eval`, `dedicated`, `connect`, `close` and `connected` may be
/// called concurrently from any thread. Each io_context must be run by exactly one thread (the
/// server's one-io_context-per-I/O-thread layout), because a connection is used without locking
/// from the thread that runs its io_context. The io_contexts must outlive the Client; the Client
/// must outlive every call on it.
class Client {
 public:
  Client(std::span<boost::asio::io_context* const> contexts, ClientOptions options);
  Client(boost::asio::io_context& context, ClientOptions options);
  ~Client();  ///< Closes every connection (on its own executor).
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Connects every connection of the pool and waits for them. Throws IoError, TimeoutError or
  /// ReplyError from the first that fails; they all keep retrying in the background anyway, so
  /// a server may also start without Redis and answer 503 until it is there.
  boost::asio::awaitable<void> connect();

  /// Starts connecting every connection without waiting.
  void start();

  /// Sends one command, e.g. `co_await client.command({"INCRBY", key, "100"})` (binary safe),
  /// and returns its reply. The referenced bytes must stay valid until the first suspension,
  /// which awaiting at once guarantees.
  boost::asio::awaitable<Reply> command(CommandArgs args);

  /// The same, then `WAIT` for `ack.replicas` replicas on the connection that ran it, so the
  /// write survives the loss of that master (see ack_replicas.hpp); `ack.replicas` 0 is
  /// command(args). One round trip more. Throws IoError, after the command ran, when fewer
  /// replicas acknowledged in time.
  boost::asio::awaitable<Reply> command(CommandArgs args, AckReplicas ack);

  /// EVALSHA, loading the script on NOSCRIPT and retrying once (see Connection::eval):
  /// `co_await client.eval(script, {key}, {"5"})`.
  boost::asio::awaitable<Reply> eval(const Script& script, CommandArgs keys, CommandArgs args);

  /// The same, then `WAIT` for `ack.replicas` replicas on the connection that ran it, so the
  /// script's writes survive the loss of that master (see ack_replicas.hpp). One round trip more.
  /// Throws IoError, after the script ran, when fewer replicas acknowledged in time.
  boost::asio::awaitable<Reply> eval(const Script& script, CommandArgs keys, CommandArgs args,
                                     AckReplicas ack);

  /// A new connection for the caller alone, already connected, on the caller's executor (which
  /// must be single-threaded, see Connection), for blocking commands (BLPOP, XREADGROUP BLOCK)
  /// that must not stall the shared pipelines. Same options as the pool unless given. Throws as
  /// Connection::connect.
  boost::asio::awaitable<Connection> dedicated() const;
  boost::asio::awaitable<Connection> dedicated(ConnectionOptions options) const;
  /// In cluster mode: a dedicated connection to the master that serves `key` (the same as
  /// dedicated() otherwise).
  boost::asio::awaitable<Connection> dedicated_for(std::string key) const;

  /// Closes every connection; calls after this fail with IoError.
  void close();

  /// Whether at least one connection is up (a hint).
  bool connected() const;

  const ClientOptions& options() const { return options_; }

  /// Whether this client talks to a Redis Cluster. In a cluster, one command's keys must share a
  /// slot, and a blocking read of several streams on several slots is impossible: callers read
  /// such streams one by one.
  bool cluster() const { return cluster_ != nullptr; }
  /// The cluster's slot map now (nullptr in single-server mode or before it is known).
  std::shared_ptr<const SlotMap> slot_map() const;

 private:
  struct Group {
    boost::asio::io_context::executor_type executor;
    std::vector<Connection> connections;
    std::size_t next = 0;  // round-robin of calls made on this io_context's own thread
  };

  Connection* local_connection();
  Connection& remote_connection();

  ClientOptions options_;
  std::vector<std::unique_ptr<Group>> groups_;
  std::atomic<std::size_t> next_remote_{0};
  // Set in cluster mode only, where it does all the work (groups_ is then empty). One branch per
  // call is all single-server mode pays for it.
  std::unique_ptr<ClusterRouter> cluster_;
};

}  // namespace seckill::redis
