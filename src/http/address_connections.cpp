#include "http/address_connections.hpp"

#include "http/client_key.hpp"

namespace seckill::http::detail {

std::size_t AddressConnections::KeyHash::operator()(const Key& key) const noexcept {
  // FNV-1a: the keys are chosen by clients, but a shard's map only holds the addresses that
  // have a connection open, which the connection caps bound.
  std::uint64_t h = 14695981039346656037ULL;
  for (auto b : key) {
    h ^= b;
    h *= 1099511628211ULL;
  }
  return static_cast<std::size_t>(h);
}

AddressConnections::Key AddressConnections::key_of(const boost::asio::ip::address& address) {
  return ClientKey::of(address).bytes();
}

AddressConnections::Shard& AddressConnections::shard_of(const Key& key) {
  return shards_[KeyHash{}(key) % kShards];
}

bool AddressConnections::try_add(const boost::asio::ip::address& address, std::size_t cap) {
  const Key key = key_of(address);
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mutex);
  auto& n = shard.counts[key];
  if (n >= cap) {
    if (n == 0) shard.counts.erase(key);
    return false;
  }
  ++n;
  return true;
}

void AddressConnections::remove(const boost::asio::ip::address& address) {
  const Key key = key_of(address);
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.counts.find(key);
  if (it == shard.counts.end()) return;
  if (--it->second == 0) shard.counts.erase(it);
}

std::size_t AddressConnections::count(const boost::asio::ip::address& address) {
  const Key key = key_of(address);
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.counts.find(key);
  return it == shard.counts.end() ? 0 : it->second;
}

}  // namespace seckill::http::detail
