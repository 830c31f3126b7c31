#pragma once
// EVALSHA with a fallback to SCRIPT LOAD, and WAIT after a write, shared by Connection, Client and
// ClusterRouter (anything with a `command(std::span<const std::string_view>)` returning
// awaitable<Reply>).

#include <charconv>
#include <span>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/container/small_vector.hpp>

#include "core/infra_error.hpp"
#include "redis/ack_replicas.hpp"
#include "redis/command_args.hpp"
#include "redis/reply.hpp"
#include "redis/script.hpp"

namespace seckill::redis::detail {

/// `target`, `script` and what `keys` and `args` reference must outlive the returned awaitable
/// (await it at once).
template <typename Target>
boost::asio::awaitable<Reply> eval_script(Target& target, const Script& script, CommandArgs keys,
                                          CommandArgs args) {
  char numkeys_buf[24];
  auto end = std::to_chars(numkeys_buf, numkeys_buf + sizeof numkeys_buf, keys.size()).ptr;
  const auto key_view = keys.view();
  const auto arg_view = args.view();
  const std::string_view numkeys(numkeys_buf, static_cast<std::size_t>(end - numkeys_buf));

  boost::container::small_vector<std::string_view, 16> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(script.sha1());
  argv.push_back(numkeys);
  argv.insert(argv.end(), key_view.begin(), key_view.end());
  argv.insert(argv.end(), arg_view.begin(), arg_view.end());
  const std::span<const std::string_view> command(argv.data(), argv.size());

  Reply reply = co_await target.command(command);
  if (reply.is_error() && reply.error_message().starts_with("NOSCRIPT")) {
    // NOSCRIPT: the script did not run, so loading it and trying once more cannot run it twice.
    Reply loaded = co_await target.command({"SCRIPT", "LOAD", script.source()});
    if (loaded.as_string() != script.sha1()) {
      throw ProtocolError("redis: SCRIPT LOAD of " + script.name() + " returned another SHA1");
    }
    reply = co_await target.command(command);
  }
  co_return reply;
}

/// `WAIT replicas timeout` on `target`, right after a write on it (WAIT counts the replicas
/// holding every write made so far on that connection, that one included). Fewer replicas than
/// asked within the timeout throws IoError naming `what`: the write stands on the master, but the
/// caller must not rely on it (a failover now could forget it), so it answers "unavailable"
/// rather than a promise it may not keep. Does nothing when `ack` asks for no replica.
template <typename Target>
boost::asio::awaitable<void> wait_for_replicas(Target& target, AckReplicas ack,
                                               std::string_view what) {
  if (ack.replicas <= 0) co_return;
  auto replicas = std::to_string(ack.replicas);
  auto timeout = std::to_string(ack.timeout.count());
  Reply acked = co_await target.command({"WAIT", replicas, timeout});
  if (acked.as_integer() < ack.replicas) {
    throw IoError("redis: " + std::to_string(acked.as_integer()) + " of " + replicas +
                  " replicas acknowledged " + std::string(what) + " within " + timeout + " ms");
  }
}

/// eval_script, then wait_for_replicas on the same target (not after an error reply: the script
/// wrote nothing to wait for, or failed midway and the caller sees the error).
template <typename Target>
boost::asio::awaitable<Reply> eval_acked(Target& target, const Script& script, CommandArgs keys,
                                         CommandArgs args, AckReplicas ack) {
  Reply reply = co_await eval_script(target, script, keys, args);
  if (ack.replicas <= 0 || reply.is_error()) co_return reply;
  co_await wait_for_replicas(target, ack, script.name());
  co_return reply;
}

/// One command, then wait_for_replicas on the same target (not after an error reply).
template <typename Target>
boost::asio::awaitable<Reply> command_acked(Target& target, CommandArgs args, AckReplicas ack) {
  Reply reply = co_await target.command(args);
  if (ack.replicas <= 0 || reply.is_error()) co_return reply;
  co_await wait_for_replicas(target, ack, args.view().front());
  co_return reply;
}

}  // namespace seckill::redis::detail
