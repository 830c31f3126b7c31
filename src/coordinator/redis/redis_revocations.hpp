#pragma once
// Token revocations shared by every instance through Redis: a sorted set of revocations (score:
// when each may be forgotten) and a version counter bumped by every write. Each instance polls
// the counter once a second and reloads the set when it changed, so a revocation reaches every
// instance within about a second, while each request is checked against the in-memory copy only
// (no round trip on the hot path).
//
// Keys (one hash tag, so one Redis Cluster slot):
//   {seckill:revocations}:list     ZSET member "j:<revoked_at_ms>:<jti>" or
//                                  "u:<revoked_at_ms>:<user_id>", score expires_at (Unix s)
//   {seckill:revocations}:version  INCR on every write

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "auth/revocation_store.hpp"
#include "redis/client.hpp"

namespace seckill::coordinator::redis {

class RedisRevocations final : public auth::RevocationStore {
 public:
  /// `client` must outlive this. `key_prefix` is for tests (each its own list).
  explicit RedisRevocations(seckill::redis::Client& client,
                            std::string key_prefix = "{seckill:revocations}");

  /// ZADD, then INCR of the version; this instance's copy at once. Throws InfraError.
  boost::asio::awaitable<void> add(auth::Revocation revocation) override;
  /// Read from Redis (the entries not yet expired). Throws InfraError.
  boost::asio::awaitable<std::vector<auth::Revocation>> list() override;
  const auth::RevocationList& local() const override { return local_; }

  /// Reloads the local copy if the version changed since the last reload (drops expired
  /// entries from Redis then). Returns whether it reloaded. Throws InfraError. Not to be run by
  /// two coroutines at once (run() is the one caller in the service).
  boost::asio::awaitable<bool> refresh();

  /// refresh() every `period` until stop(); a failure is logged (at most every 10 s) and retried
  /// at the next tick, the local copy kept meanwhile.
  boost::asio::awaitable<void> run(std::chrono::milliseconds period = std::chrono::seconds(1));
  void stop() { stopping_ = true; }

 private:
  seckill::redis::Client& client_;
  std::string list_key_;
  std::string version_key_;
  auth::RevocationList local_;
  std::optional<std::int64_t> seen_version_;
  std::atomic<bool> stopping_{false};
};

}  // namespace seckill::coordinator::redis
