#include "redis/slot_map.hpp"

#include <algorithm>
#include <charconv>

#include "core/infra_error.hpp"

namespace seckill::redis {
namespace {

template <typename T>
std::optional<T> number(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

RedisUrl node_of(const Reply& node, const RedisUrl& asked) {
  auto parts = node.elements();
  if (parts.size() < 2) throw ProtocolError("CLUSTER SLOTS: a node without host and port");
  std::string host(parts[0].as_string());
  if (host.empty() || host == "?") host = asked.host;
  auto port = parts[1].as_integer();
  if (port <= 0 || port > 65535) throw ProtocolError("CLUSTER SLOTS: bad port");
  return RedisUrl{std::move(host), static_cast<std::uint16_t>(port), 0};
}

std::uint16_t index_of(std::vector<RedisUrl>& nodes, const RedisUrl& url) {
  auto it = std::find(nodes.begin(), nodes.end(), url);
  if (it != nodes.end()) return static_cast<std::uint16_t>(it - nodes.begin());
  nodes.push_back(url);
  return static_cast<std::uint16_t>(nodes.size() - 1);
}

}  // namespace

bool SlotMap::complete() const {
  return std::none_of(owner.begin(), owner.end(), [](std::uint16_t o) { return o == kNobody; });
}

SlotMap parse_cluster_slots(const Reply& reply, const RedisUrl& asked) {
  SlotMap map;
  for (const Reply& range : reply.elements()) {
    auto parts = range.elements();
    if (parts.size() < 3) throw ProtocolError("CLUSTER SLOTS: a range without a master");
    auto first = parts[0].as_integer();
    auto last = parts[1].as_integer();
    if (first < 0 || last >= kClusterSlots || first > last) {
      throw ProtocolError("CLUSTER SLOTS: bad slot range");
    }
    auto master = index_of(map.masters, node_of(parts[2], asked));
    for (auto slot = first; slot <= last; ++slot)
      map.owner[static_cast<std::size_t>(slot)] = master;
    for (std::size_t i = 3; i < parts.size(); ++i) {
      auto replica = node_of(parts[i], asked);
      if (std::find(map.replicas.begin(), map.replicas.end(), replica) == map.replicas.end()) {
        map.replicas.push_back(std::move(replica));
      }
    }
  }
  return map;
}

std::optional<Redirection> parse_redirection(std::string_view message) {
  Redirection r{};
  if (message.starts_with("MOVED ")) {
    r.kind = Redirection::Kind::moved;
    message.remove_prefix(6);
  } else if (message.starts_with("ASK ")) {
    r.kind = Redirection::Kind::ask;
    message.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  auto space = message.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  auto slot = number<std::uint16_t>(message.substr(0, space));
  auto address = message.substr(space + 1);
  auto colon = address.rfind(':');
  if (!slot || *slot >= kClusterSlots || colon == std::string_view::npos) return std::nullopt;
  auto port = number<std::uint16_t>(address.substr(colon + 1));
  if (!port || *port == 0) return std::nullopt;
  r.slot = *slot;
  r.to = RedisUrl{std::string(address.substr(0, colon)), *port, 0};
  return r;
}

std::string node_address(const RedisUrl& url) {
  return url.host + ":" + std::to_string(url.port);
}

}  // namespace seckill::redis
