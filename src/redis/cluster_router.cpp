#include "redis/cluster_router.hpp"

#include <algorithm>
#include <mutex>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "core/infra_error.hpp"
#include "redis/command_key.hpp"
#include "redis/detail/eval.hpp"
#include "redis/key_slot.hpp"

namespace seckill::redis {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kMaxRedirections = 5;
constexpr auto kRefreshSpacing = std::chrono::milliseconds(200);
// A connection this young that is not up yet is waited for (it is still making its first
// attempt); an older one that is down fails the request at once.
constexpr auto kFirstConnectGrace = std::chrono::seconds(2);

std::optional<std::uint16_t> slot_of_command(std::span<const std::string_view> argv) {
  if (auto key = command_key(argv)) return key_slot(*key);
  return std::nullopt;
}

std::optional<std::uint16_t> slot_of_keys(CommandArgs keys) {
  if (keys.empty()) return std::nullopt;
  return key_slot(keys.view().front());
}

awaitable<void> pause(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(use_awaitable);
}

struct CommandOp {
  CommandArgs args;
  AckReplicas ack;
  awaitable<Reply> operator()(Connection& c) const {
    return ack.replicas > 0 ? detail::command_acked(c, args, ack) : c.command(args);
  }
};

struct EvalOp {
  const Script* script;
  CommandArgs keys;
  CommandArgs args;
  AckReplicas ack;
  awaitable<Reply> operator()(Connection& c) const {
    return detail::eval_acked(c, *script, keys, args, ack);
  }
};

}  // namespace

struct ClusterRouter::Topology {
  std::vector<RedisUrl> seeds;
  ConnectionOptions options;
  mutable std::mutex mutex;
  std::shared_ptr<const SlotMap> map;  // guarded by mutex
  Clock::time_point last_refresh{};    // guarded by mutex
  std::atomic<std::uint64_t> version{0};
  std::atomic<bool> refreshing{false};
  std::atomic<bool> closed{false};

  std::shared_ptr<const SlotMap> current() const {
    std::lock_guard lock(mutex);
    return map;
  }

  void publish(SlotMap fresh) {
    auto next = std::make_shared<const SlotMap>(std::move(fresh));
    std::lock_guard lock(mutex);
    map = std::move(next);
    version.fetch_add(1, std::memory_order_release);
  }

  // Where to ask for the slot map: the nodes known (masters, then replicas, which become
  // masters in a failover), then the seeds.
  std::vector<RedisUrl> candidates() const {
    std::vector<RedisUrl> out;
    auto add = [&out](const RedisUrl& u) {
      if (std::find(out.begin(), out.end(), u) == out.end()) out.push_back(u);
    };
    if (auto m = current()) {
      for (const auto& u : m->masters)
        add(u);
      for (const auto& u : m->replicas)
        add(u);
    }
    for (const auto& u : seeds)
      add(u);
    return out;
  }

  // The node's address with the seeds' credentials and TLS (CLUSTER SLOTS gives addresses only).
  ConnectionOptions options_for(const RedisUrl& node) const {
    ConnectionOptions o = options;
    o.endpoint.host = node.host;
    o.endpoint.port = node.port;
    o.endpoint.db = 0;  // a cluster has only DB 0
    return o;
  }
};

namespace {

// Asks the known nodes one after the other for CLUSTER SLOTS; publishes the first complete
// answer (a node that lost contact may answer a map with holes: the next one may know better).
awaitable<bool> refresh_once(std::shared_ptr<ClusterRouter::Topology> topology) {
  auto executor = co_await asio::this_coro::executor;
  std::optional<SlotMap> partial;
  for (const RedisUrl& node : topology->candidates()) {
    if (topology->closed.load()) co_return false;
    std::optional<SlotMap> answer;
    try {
      auto options = topology->options_for(node);
      options.connect_timeout = std::min(options.connect_timeout, std::chrono::milliseconds(500));
      Connection connection(executor, options);
      co_await connection.connect();
      Reply reply = co_await connection.command({"CLUSTER", "SLOTS"});
      answer = parse_cluster_slots(reply, node);
      connection.close();
    } catch (const InfraError& e) {
      spdlog::debug("redis cluster: {} did not give the slot map: {}", node_address(node),
                    e.what());
    }
    if (!answer || answer->masters.empty()) continue;
    if (answer->complete()) {
      topology->publish(std::move(*answer));
      co_return true;
    }
    if (!partial) partial = std::move(answer);
  }
  if (partial) {
    topology->publish(std::move(*partial));
    co_return true;
  }
  co_return false;
}

awaitable<void> refresh_soon(std::shared_ptr<ClusterRouter::Topology> topology) {
  Clock::time_point last;
  {
    std::lock_guard lock(topology->mutex);
    last = topology->last_refresh;
  }
  auto wait = last + kRefreshSpacing - Clock::now();
  if (wait > Clock::duration::zero()) {
    co_await pause(std::chrono::duration_cast<std::chrono::milliseconds>(wait) +
                   std::chrono::milliseconds(1));
  }
  bool ok = false;
  try {
    ok = co_await refresh_once(topology);
  } catch (const std::exception& e) {
    spdlog::warn("redis cluster: slot map refresh failed: {}", e.what());
  }
  if (!ok && !topology->closed.load())
    spdlog::warn("redis cluster: no node answered CLUSTER SLOTS");
  {
    std::lock_guard lock(topology->mutex);
    topology->last_refresh = Clock::now();
  }
  topology->refreshing.store(false);
}

awaitable<void> refresh_until_known(std::shared_ptr<ClusterRouter::Topology> topology) {
  auto delay = topology->options.reconnect_min;
  while (!topology->closed.load() && !topology->current()) {
    if (co_await refresh_once(topology)) co_return;
    co_await pause(delay);
    delay = std::min(delay * 2, topology->options.reconnect_max);
  }
}

awaitable<Connection> open_first(std::vector<ConnectionOptions> candidates) {
  auto executor = co_await asio::this_coro::executor;
  std::string errors;
  for (auto& options : candidates) {
    std::optional<Connection> connection;
    try {
      connection.emplace(executor, options);
      co_await connection->connect();
    } catch (const InfraError& e) {
      errors += std::string(errors.empty() ? "" : "; ") + e.what();
      connection.reset();
    }
    if (connection) co_return std::move(*connection);
  }
  throw IoError("redis cluster: no node to connect to (" + errors + ")");
}

}  // namespace

struct ClusterRouter::Link {
  Link(asio::any_io_executor executor, ConnectionOptions options)
      : connection(std::move(executor), std::move(options)), born(Clock::now()) {}
  Connection connection;
  Clock::time_point born;
};

struct ClusterRouter::Group {
  asio::io_context::executor_type executor;
  std::uint64_t version = 0;
  std::shared_ptr<const SlotMap> map;
  std::unordered_map<std::string, std::shared_ptr<Link>> links;  // by "host:port"
  std::vector<std::shared_ptr<Link>> masters;                    // as map->masters
  std::size_t next = 0;                                          // for commands without a key
};

ClusterRouter::ClusterRouter(std::span<asio::io_context* const> contexts,
                             std::vector<RedisUrl> seeds, ConnectionOptions options)
    : topology_(std::make_shared<Topology>()) {
  if (seeds.empty()) throw std::invalid_argument("redis cluster: no seed given");
  topology_->seeds = std::move(seeds);
  topology_->options = std::move(options);
  for (asio::io_context* context : contexts) {
    groups_.push_back(std::make_shared<Group>(Group{context->get_executor(), 0, {}, {}, {}, 0}));
  }
}

ClusterRouter::~ClusterRouter() {
  topology_->closed.store(true);
}

void ClusterRouter::sync(Group& group) {
  if (group.version == topology_->version.load(std::memory_order_acquire)) return;
  {
    std::lock_guard lock(topology_->mutex);
    group.map = topology_->map;
    group.version = topology_->version.load(std::memory_order_relaxed);
  }
  group.masters.clear();
  if (!group.map) return;
  for (const auto& node : group.map->masters)
    group.masters.push_back(link_for(group, node));
  // Nodes that serve nothing any more (a failed master) stop reconnecting; requests still in
  // flight on them hold their link until they finish.
  std::erase_if(group.links, [&](const auto& entry) {
    return std::none_of(group.masters.begin(), group.masters.end(),
                        [&](const auto& m) { return m == entry.second; });
  });
}

std::shared_ptr<ClusterRouter::Link> ClusterRouter::link_for(Group& group, const RedisUrl& node) {
  auto address = node_address(node);
  auto it = group.links.find(address);
  if (it != group.links.end()) return it->second;
  auto link = std::make_shared<Link>(group.executor, topology_->options_for(node));
  link->connection.start();
  group.links.emplace(std::move(address), link);
  return link;
}

std::shared_ptr<ClusterRouter::Link> ClusterRouter::pick(Group& group,
                                                         std::optional<std::uint16_t> slot) {
  sync(group);
  if (!group.map || group.masters.empty()) {
    request_refresh(group.executor);
    throw IoError("redis cluster: slot map not known yet");
  }
  if (slot) {
    auto owner = group.map->owner_of(*slot);
    if (owner == SlotMap::kNobody) {
      request_refresh(group.executor);
      throw IoError("redis cluster: no master serves slot " + std::to_string(*slot));
    }
    return group.masters[owner];
  }
  for (std::size_t tries = 0; tries < group.masters.size(); ++tries) {
    auto& link = group.masters[group.next++ % group.masters.size()];
    if (link->connection.connected()) return link;
  }
  return group.masters.front();
}

void ClusterRouter::request_refresh(const asio::any_io_executor& executor) {
  if (topology_->closed.load() || topology_->refreshing.exchange(true)) return;
  asio::co_spawn(executor, refresh_soon(topology_), asio::detached);
}

template <typename Op>
awaitable<Reply> ClusterRouter::routed(Group& group, std::optional<std::uint16_t> slot, Op op) {
  std::shared_ptr<Link> link = pick(group, slot);
  bool asking = false;
  for (int hop = 0;; ++hop) {
    Reply reply;
    std::exception_ptr failure;
    try {
      if (asking) {
        // ASKING applies to the next command of its connection only: a one-off connection, so
        // no other request of the shared pipeline slips in between.
        Connection once(group.executor, link->connection.options());
        co_await once.connect();
        const CommandArgs asking_command(std::string_view("ASKING"));
        Reply asked = co_await once.command(asking_command);
        asked.value();
        reply = co_await op(once);
      } else {
        Connection& connection = link->connection;
        if (!connection.connected() && Clock::now() - link->born < kFirstConnectGrace) {
          co_await connection.connect();
        }
        reply = co_await op(connection);
      }
    } catch (const InfraError&) {
      failure = std::current_exception();
    }
    if (failure) {
      // The node may be gone (failover): learn the new map for the requests that follow.
      request_refresh(group.executor);
      std::rethrow_exception(failure);
    }
    if (!reply.is_error() || hop >= kMaxRedirections) co_return reply;
    auto redirection = parse_redirection(reply.error_message());
    if (!redirection) {
      if (reply.error_message().starts_with("CLUSTERDOWN")) request_refresh(group.executor);
      co_return reply;
    }
    if (redirection->to.host.empty())
      redirection->to.host = link->connection.options().endpoint.host;
    asking = redirection->kind == Redirection::Kind::ask;
    if (!asking) request_refresh(group.executor);
    link = link_for(group, redirection->to);
  }
}

ClusterRouter::Group* ClusterRouter::local_group() {
  for (auto& group : groups_) {
    if (group->executor.running_in_this_thread()) return group.get();
  }
  return nullptr;
}

ClusterRouter::Group& ClusterRouter::remote_group() {
  return *groups_[next_remote_.fetch_add(1, std::memory_order_relaxed) % groups_.size()];
}

awaitable<Reply> ClusterRouter::command(CommandArgs args, AckReplicas ack) {
  if (args.empty()) throw std::invalid_argument("redis: empty command");
  if (Group* local = local_group()) {
    CommandOp op{args, ack};
    co_return co_await routed(*local, slot_of_command(args.view()), op);
  }
  std::vector<std::string> owned(args.view().begin(), args.view().end());
  Group& group = remote_group();
  co_return co_await asio::co_spawn(
      group.executor, remote_command(this, &group, std::move(owned), ack), use_awaitable);
}

awaitable<Reply> ClusterRouter::remote_command(ClusterRouter* self, Group* group,
                                               std::vector<std::string> argv, AckReplicas ack) {
  std::vector<std::string_view> views(argv.begin(), argv.end());
  CommandOp op{CommandArgs(views), ack};
  co_return co_await self->routed(*group, slot_of_command(views), op);
}

awaitable<Reply> ClusterRouter::eval(const Script& script, CommandArgs keys, CommandArgs args,
                                     AckReplicas ack) {
  if (Group* local = local_group()) {
    EvalOp op{&script, keys, args, ack};
    co_return co_await routed(*local, slot_of_keys(keys), op);
  }
  std::vector<std::string> owned_keys(keys.view().begin(), keys.view().end());
  std::vector<std::string> owned_args(args.view().begin(), args.view().end());
  Group& group = remote_group();
  co_return co_await asio::co_spawn(
      group.executor,
      remote_eval(this, &group, &script, std::move(owned_keys), std::move(owned_args), ack),
      use_awaitable);
}

awaitable<Reply> ClusterRouter::remote_eval(ClusterRouter* self, Group* group, const Script* script,
                                            std::vector<std::string> keys,
                                            std::vector<std::string> args, AckReplicas ack) {
  std::vector<std::string_view> key_views(keys.begin(), keys.end());
  std::vector<std::string_view> arg_views(args.begin(), args.end());
  EvalOp op{script, CommandArgs(key_views), CommandArgs(arg_views), ack};
  co_return co_await self->routed(*group, slot_of_keys(op.keys), op);
}

awaitable<void> ClusterRouter::connect() {
  bool known = topology_->current() != nullptr;
  if (!known) known = co_await refresh_once(topology_);
  if (!known) {
    std::string seeds;
    for (const auto& s : topology_->seeds)
      seeds += (seeds.empty() ? "" : ", ") + node_address(s);
    throw IoError("redis cluster: no node answered CLUSTER SLOTS (seeds " + seeds + ")");
  }
  for (auto& group : groups_) {
    co_await asio::co_spawn(group->executor, connect_group(this, group.get()), use_awaitable);
  }
}

awaitable<void> ClusterRouter::connect_group(ClusterRouter* self, Group* group) {
  self->sync(*group);
  auto masters = group->masters;  // connect() suspends: a refresh may change the vector
  for (auto& link : masters)
    co_await link->connection.connect();
}

void ClusterRouter::start() {
  asio::co_spawn(groups_.front()->executor, refresh_until_known(topology_), asio::detached);
}

awaitable<Connection> ClusterRouter::dedicated(ConnectionOptions options, std::string key) const {
  std::vector<ConnectionOptions> candidates;
  auto add = [&](const RedisUrl& node) {
    auto o = options;
    o.endpoint.host = node.host;
    o.endpoint.port = node.port;
    o.endpoint.db = 0;
    candidates.push_back(std::move(o));
  };
  if (auto map = topology_->current()) {
    if (!key.empty()) {
      auto owner = map->owner_of(key_slot(key));
      if (owner != SlotMap::kNobody) add(map->masters[owner]);
    }
    for (const auto& m : map->masters)
      add(m);
  }
  for (const auto& s : topology_->seeds)
    add(s);
  return open_first(std::move(candidates));
}

void ClusterRouter::close() {
  topology_->closed.store(true);
  for (auto& group : groups_) {
    asio::dispatch(group->executor, [g = group] {
      for (auto& [address, link] : g->links)
        link->connection.close();
    });
  }
}

bool ClusterRouter::connected() const {
  return !topology_->closed.load() && topology_->version.load() > 0;
}

std::shared_ptr<const SlotMap> ClusterRouter::slot_map() const {
  return topology_->current();
}

}  // namespace seckill::redis
