#pragma once
// Which argument of a command is the key that decides where a Redis Cluster runs it.

#include <optional>
#include <span>
#include <string_view>

namespace seckill::redis {

/// The first key of `argv` (name first), or nullopt for a command without keys (PING, PUBLISH,
/// SCRIPT, WAIT, INFO...), which any node may serve. Knows the commands seckill sends:
/// EVAL/EVALSHA (the first of `numkeys` keys), XREADGROUP/XREAD (the first stream after
/// STREAMS), XGROUP/XINFO/OBJECT (the key after the subcommand), and takes the first argument
/// as the key of every other command. Multi-key commands must keep their keys in one slot (hash
/// tags): the cluster refuses them otherwise (CROSSSLOT), and this does not check it.
std::optional<std::string_view> command_key(std::span<const std::string_view> argv);

}  // namespace seckill::redis
