#pragma once
// Redis Cluster routing for Client: which node serves a command, and the redirections.

#include <atomic>
#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "redis/ack_replicas.hpp"
#include "redis/command_args.hpp"
#include "redis/connection.hpp"
#include "redis/connection_options.hpp"
#include "redis/reply.hpp"
#include "redis/script.hpp"
#include "redis/slot_map.hpp"

namespace seckill::redis {

/// The cluster mode of Client: one pipelined Connection per master per io_context, opened when
/// first needed.
///
/// Routing: a command goes to the master serving the slot of its key (command_key.hpp); a
/// command without a key to any master. The slot map comes from CLUSTER SLOTS, asked of the
/// seeds and of every node seen since, and is refreshed (at most every 200 ms) when a node
/// answers MOVED, when a request to a node fails with an I/O error, or when a slot has no known
/// master. MOVED is followed at once (to the node it names) and ASK on a one-off connection
/// (ASKING must come right before the command, which a shared pipeline cannot promise); at most
/// 5 redirections per command. Scripts are loaded per node: EVALSHA runs on the routed node and
/// its NOSCRIPT fallback (SCRIPT LOAD, EVALSHA) goes to that same connection.
///
/// Failures are those of Connection (never a retry of a request that may have run); error
/// replies other than redirections (CLUSTERDOWN, CROSSSLOT, TRYAGAIN...) come back as replies.
///
/// Thread-safety: as Client. The slot map is shared under a mutex; each io_context keeps its
/// own copy and its own connections, and checks a version number (one atomic load) per command.
class ClusterRouter {
 public:
  ClusterRouter(std::span<boost::asio::io_context* const> contexts, std::vector<RedisUrl> seeds,
                ConnectionOptions options);
  ~ClusterRouter();
  ClusterRouter(const ClusterRouter&) = delete;
  ClusterRouter& operator=(const ClusterRouter&) = delete;

  /// Reads the slot map and connects to every master from every io_context. Throws IoError when
  /// no node answers.
  boost::asio::awaitable<void> connect();
  /// Reads the slot map in the background (retrying until a node answers).
  void start();

  /// `ack.replicas` > 0: WAIT after the command, on the master that ran it (see Client).
  boost::asio::awaitable<Reply> command(CommandArgs args, AckReplicas ack);
  boost::asio::awaitable<Reply> eval(const Script& script, CommandArgs keys, CommandArgs args,
                                     AckReplicas ack);

  /// A connection of its own to the master serving `key`'s slot (any master when empty).
  boost::asio::awaitable<Connection> dedicated(ConnectionOptions options,
                                               std::string key = {}) const;

  void close();
  bool connected() const;

  /// The slot map now (nullptr before the first was read).
  std::shared_ptr<const SlotMap> slot_map() const;

  struct Topology;  ///< the slot map shared by every io_context (detail of the .cpp)

 private:
  struct Link;
  struct Group;
  template <typename Op>
  boost::asio::awaitable<Reply> routed(Group& group, std::optional<std::uint16_t> slot, Op op);
  static boost::asio::awaitable<Reply> remote_command(ClusterRouter* self, Group* group,
                                                      std::vector<std::string> argv,
                                                      AckReplicas ack);
  static boost::asio::awaitable<Reply> remote_eval(ClusterRouter* self, Group* group,
                                                   const Script* script,
                                                   std::vector<std::string> keys,
                                                   std::vector<std::string> args, AckReplicas ack);
  static boost::asio::awaitable<void> connect_group(ClusterRouter* self, Group* group);

  Group* local_group();
  Group& remote_group();
  void sync(Group& group);
  std::shared_ptr<Link> link_for(Group& group, const RedisUrl& node);
  std::shared_ptr<Link> pick(Group& group, std::optional<std::uint16_t> slot);
  void request_refresh(const boost::asio::any_io_executor& executor);

  std::shared_ptr<Topology> topology_;
  // Shared with the closing handlers posted to each io_context, which may run after we are gone.
  std::vector<std::shared_ptr<Group>> groups_;
  std::atomic<std::size_t> next_remote_{0};
};

}  // namespace seckill::redis
