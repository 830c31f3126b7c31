#pragma once
// EVALSHA with a fallback to SCRIPT LOAD, shared by Connection and Client (anything with a
// `command(std::span<const std::string_view>)` returning awaitable<Reply>).

#include <charconv>
#include <span>
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

/// eval_script, then, when `ack` asks for replicas, `WAIT replicas timeout` on the same target
/// (WAIT counts the replicas holding every write made so far on that connection, the script's
/// included). Fewer replicas than asked within the timeout throws IoError: the script ran and
/// its effects stand on the master, but the caller must not promise them (a failover now could
/// forget them), so it answers "unavailable" rather than a promise it may not keep.
template <typename Target>
boost::asio::awaitable<Reply> eval_acked(Target& target, const Script& script, CommandArgs keys,
                                         CommandArgs args, AckReplicas ack) {
  Reply reply = co_await eval_script(target, script, keys, args);
  if (ack.replicas <= 0 || reply.is_error()) co_return reply;
  auto replicas = std::to_string(ack.replicas);
  auto timeout = std::to_string(ack.timeout.count());
  Reply acked = co_await target.command({"WAIT", replicas, timeout});
  if (acked.as_integer() < ack.replicas) {
    throw IoError("redis: " + std::to_string(acked.as_integer()) + " of " + replicas +
                  " replicas acknowledged " + script.name() + " within " + timeout + " ms");
  }
  co_return reply;
}

}  // namespace seckill::redis::detail
