#pragma once
// Who serves which Redis Cluster slot: the answer of CLUSTER SLOTS, and the redirections
// (MOVED, ASK) a node answers when it does not serve a key.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/key_slot.hpp"
#include "redis/redis_url.hpp"
#include "redis/reply.hpp"

namespace seckill::redis {

/// The masters of a cluster and, for every slot, the index of the master serving it.
struct SlotMap {
  static constexpr std::uint16_t kNobody = 0xffff;

  std::vector<RedisUrl> masters;
  /// Every replica seen, for finding the cluster again when the masters are gone (failover).
  std::vector<RedisUrl> replicas;
  std::array<std::uint16_t, kClusterSlots> owner;

  SlotMap() { owner.fill(kNobody); }

  /// Index into `masters` of the node serving `slot`, or kNobody.
  std::uint16_t owner_of(std::uint16_t slot) const { return owner[slot]; }
  /// Whether every slot has a master.
  bool complete() const;
};

/// Builds a SlotMap from a CLUSTER SLOTS reply. `asked` is the node that answered: an empty host
/// in the reply means that node's own host. Throws ProtocolError on a malformed reply.
SlotMap parse_cluster_slots(const Reply& reply, const RedisUrl& asked);

/// A `MOVED 3999 127.0.0.1:6381` or `ASK 3999 127.0.0.1:6381` error.
struct Redirection {
  enum class Kind : std::uint8_t { moved, ask };
  Kind kind;
  std::uint16_t slot;
  RedisUrl to;
};

/// The redirection an error reply's message holds, or nullopt for any other error.
std::optional<Redirection> parse_redirection(std::string_view error_message);

/// "host:port", the identity of a node.
std::string node_address(const RedisUrl& url);

}  // namespace seckill::redis
