#pragma once
// The lock primitives (lock/lock_service.hpp) on Redis: three Lua scripts (lock_acquire.lua,
// lock_extend.lua, lock_release.lua) and a pub/sub channel on which every release is announced,
// so the waiters of every instance wake without polling.

#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "lock/lock_service.hpp"
#include "redis/client.hpp"
#include "redis/subscriber.hpp"

namespace seckill::coordinator::redis {

/// Where releases are announced; the payload is the resource.
inline constexpr std::string_view kLockReleasedChannel = "seckill:lock:released";

/// Thread-safe (the Client's calls from any thread). The Client must outlive the service.
class RedisLockService final : public lock::LockService {
 public:
  /// The subscriber listens on `executor` (single-threaded) with `options`; call `start()`.
  RedisLockService(seckill::redis::Client& client, boost::asio::any_io_executor executor,
                   seckill::redis::ConnectionOptions options);

  /// Starts listening for releases (in the background).
  void start();
  /// Starts and waits until subscribed. Throws as Subscriber::connect.
  boost::asio::awaitable<void> connect();
  /// On the subscriber's executor.
  void close();

  boost::asio::awaitable<lock::AcquireAttempt> try_acquire(std::string resource, std::string owner,
                                                           std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<bool> extend(std::string resource, std::string owner,
                                      std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<bool> release(std::string resource, std::string owner) override;
  /// fence_raise.lua.
  boost::asio::awaitable<void> raise_fence(std::string resource, std::int64_t at_least) override;
  lock::ReleaseWaiters& waiters() override { return waiters_; }

 private:
  seckill::redis::Client& client_;
  lock::ReleaseWaiters waiters_;
  seckill::redis::Subscriber subscriber_;
};

/// The Redis keys of a resource's lock (both in one hash slot).
std::string lock_owner_key(std::string_view resource);
std::string lock_fence_key(std::string_view resource);

}  // namespace seckill::coordinator::redis
