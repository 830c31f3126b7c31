#include "redis/client.hpp"

#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/infra_error.hpp"
#include "redis/cluster_router.hpp"
#include "redis/command_encoder.hpp"
#include "redis/detail/eval.hpp"

namespace seckill::redis {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

// Takes everything by value: it runs on the caller's executor after dedicated() returned.
awaitable<Connection> open_dedicated(ConnectionOptions options) {
  Connection connection(co_await asio::this_coro::executor, std::move(options));
  co_await connection.connect();
  co_return connection;
}

// Takes everything by value: it runs on the connection's executor.
awaitable<Reply> eval_acked_owned(Connection& connection, const Script* script,
                                  std::vector<std::string> keys, std::vector<std::string> args,
                                  AckReplicas ack) {
  std::vector<std::string_view> key_views(keys.begin(), keys.end());
  std::vector<std::string_view> arg_views(args.begin(), args.end());
  co_return co_await detail::eval_acked(connection, *script, CommandArgs(key_views),
                                        CommandArgs(arg_views), ack);
}

// Takes everything by value: it runs on the connection's executor.
awaitable<Reply> command_acked_owned(Connection& connection, std::vector<std::string> argv,
                                     AckReplicas ack) {
  std::vector<std::string_view> views(argv.begin(), argv.end());
  co_return co_await detail::command_acked(connection, CommandArgs(views), ack);
}

}  // namespace

Client::Client(std::span<asio::io_context* const> contexts, ClientOptions options)
    : options_(std::move(options)) {
  if (contexts.empty()) throw std::invalid_argument("redis::Client: no io_context given");
  if (options_.connections_per_context == 0) options_.connections_per_context = 1;
  if (!options_.cluster_seeds.empty()) {
    cluster_ =
        std::make_unique<ClusterRouter>(contexts, options_.cluster_seeds, options_.connection);
    return;
  }
  for (asio::io_context* context : contexts) {
    auto group = std::make_unique<Group>(Group{context->get_executor(), {}, 0});
    for (std::size_t i = 0; i < options_.connections_per_context; ++i) {
      group->connections.emplace_back(context->get_executor(), options_.connection);
    }
    groups_.push_back(std::move(group));
  }
}

Client::Client(asio::io_context& context, ClientOptions options)
    : Client(std::span<asio::io_context* const>(std::array{&context}), std::move(options)) {}

Client::~Client() = default;  // each Connection closes itself on its executor

awaitable<void> Client::connect() {
  if (cluster_) {
    co_await cluster_->connect();
    co_return;
  }
  for (auto& group : groups_) {
    for (Connection& connection : group->connections) {
      // connect() binds the connection's state by value: it may run on the other executor.
      co_await asio::co_spawn(connection.get_executor(), connection.connect(), use_awaitable);
    }
  }
}

void Client::start() {
  if (cluster_) return cluster_->start();
  for (auto& group : groups_) {
    for (Connection& connection : group->connections) {
      connection.start_on_executor();
    }
  }
}

Connection* Client::local_connection() {
  for (auto& group : groups_) {
    if (!group->executor.running_in_this_thread()) continue;
    auto& connections = group->connections;
    for (std::size_t tries = 0; tries < connections.size(); ++tries) {
      Connection& c = connections[group->next++ % connections.size()];
      if (c.connected()) return &c;
    }
    // None is up here: let a remote one serve rather than fail while others are fine.
    return nullptr;
  }
  return nullptr;
}

Connection& Client::remote_connection() {
  std::size_t total = groups_.size() * options_.connections_per_context;
  for (std::size_t tries = 0; tries < total; ++tries) {
    std::size_t i = next_remote_.fetch_add(1, std::memory_order_relaxed) % total;
    Connection& c = groups_[i / options_.connections_per_context]
                        ->connections[i % options_.connections_per_context];
    if (c.connected()) return c;
  }
  // None is up: this one will fail fast with a message saying why.
  return groups_.front()->connections.front();
}

awaitable<Reply> Client::command(CommandArgs args) {
  if (args.empty()) throw std::invalid_argument("redis: empty command");
  metrics::CallTimer timer(options_.calls, metrics::Backend::redis);
  if (cluster_) {
    const AckReplicas none;  // named: a braced temporary in co_await is GCC 12's trap
    Reply reply = co_await cluster_->command(args, none);
    timer.ok();
    co_return reply;
  }
  if (Connection* local = local_connection()) {
    Reply reply = co_await local->command(args);
    timer.ok();
    co_return reply;
  }
  Connection& remote = remote_connection();
  // Encoded here, on the caller's thread: what crosses to the other thread is an owned string.
  Reply reply = co_await asio::co_spawn(
      remote.get_executor(), remote.command_encoded(encode_command(args.view())), use_awaitable);
  timer.ok();
  co_return reply;
}

awaitable<Reply> Client::command(CommandArgs args, AckReplicas ack) {
  if (ack.replicas <= 0) co_return co_await command(args);
  if (args.empty()) throw std::invalid_argument("redis: empty command");
  metrics::CallTimer timer(options_.calls, metrics::Backend::redis);
  if (cluster_) {
    Reply reply = co_await cluster_->command(args, ack);
    timer.ok();
    co_return reply;
  }
  // WAIT must follow the command on its own connection: pick one and keep it for both.
  if (Connection* local = local_connection()) {
    Reply reply = co_await detail::command_acked(*local, args, ack);
    timer.ok();
    co_return reply;
  }
  std::vector<std::string> owned(args.view().begin(), args.view().end());
  Connection& remote = remote_connection();
  Reply reply = co_await asio::co_spawn(
      remote.get_executor(), command_acked_owned(remote, std::move(owned), ack), use_awaitable);
  timer.ok();
  co_return reply;
}

awaitable<Reply> Client::eval(const Script& script, CommandArgs keys, CommandArgs args) {
  if (cluster_) return cluster_->eval(script, keys, args, AckReplicas{});
  return detail::eval_script(*this, script, keys, args);
}

awaitable<Reply> Client::eval(const Script& script, CommandArgs keys, CommandArgs args,
                              AckReplicas ack) {
  if (cluster_) co_return co_await cluster_->eval(script, keys, args, ack);
  if (ack.replicas <= 0) co_return co_await detail::eval_script(*this, script, keys, args);
  // WAIT must follow the script on its own connection: pick one and keep it for both.
  if (Connection* local = local_connection()) {
    co_return co_await detail::eval_acked(*local, script, keys, args, ack);
  }
  std::vector<std::string> owned_keys(keys.view().begin(), keys.view().end());
  std::vector<std::string> owned_args(args.view().begin(), args.view().end());
  Connection& remote = remote_connection();
  co_return co_await asio::co_spawn(
      remote.get_executor(),
      eval_acked_owned(remote, &script, std::move(owned_keys), std::move(owned_args), ack),
      use_awaitable);
}

awaitable<Connection> Client::dedicated() const {
  return dedicated(options_.connection);
}

awaitable<Connection> Client::dedicated(ConnectionOptions options) const {
  if (cluster_) return cluster_->dedicated(std::move(options));
  return open_dedicated(std::move(options));
}

awaitable<Connection> Client::dedicated_for(std::string key) const {
  if (cluster_) return cluster_->dedicated(options_.connection, std::move(key));
  return open_dedicated(options_.connection);
}

std::shared_ptr<const SlotMap> Client::slot_map() const {
  return cluster_ ? cluster_->slot_map() : nullptr;
}

void Client::close() {
  if (cluster_) return cluster_->close();
  for (auto& group : groups_) {
    for (Connection& connection : group->connections) {
      connection.close_on_executor();
    }
  }
}

bool Client::connected() const {
  if (cluster_) return cluster_->connected();
  for (const auto& group : groups_) {
    for (const Connection& connection : group->connections) {
      if (connection.connected()) return true;
    }
  }
  return false;
}

}  // namespace seckill::redis
