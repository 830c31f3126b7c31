#include "coordinator/redis/redis_lock_service.hpp"

#include <array>

#include "core/infra_error.hpp"
#include "seckill_coordinator_redis_embedded.hpp"

namespace seckill::coordinator::redis {

namespace asio = boost::asio;
using seckill::redis::Reply;
using seckill::redis::Script;

namespace {

const Script& acquire_script() {
  static const Script script("lock_acquire", std::string(scripts::lock_acquire));
  return script;
}
const Script& fence_raise_script() {
  static const Script script("fence_raise", std::string(scripts::fence_raise));
  return script;
}
const Script& extend_script() {
  static const Script script("lock_extend", std::string(scripts::lock_extend));
  return script;
}
const Script& release_script() {
  static const Script script("lock_release", std::string(scripts::lock_release));
  return script;
}

}  // namespace

std::string lock_owner_key(std::string_view resource) {
  return "{lock:" + std::string(resource) + "}:owner";
}

std::string lock_fence_key(std::string_view resource) {
  return "{lock:" + std::string(resource) + "}:fence";
}

RedisLockService::RedisLockService(seckill::redis::Client& client, asio::any_io_executor executor,
                                   seckill::redis::ConnectionOptions options)
    : client_(client),
      subscriber_(
          std::move(executor), std::move(options),
          [this](std::string_view, std::string_view resource) { waiters_.notify(resource); }) {
  subscriber_.subscribe(std::string(kLockReleasedChannel));
}

void RedisLockService::start() {
  subscriber_.start();
}

asio::awaitable<void> RedisLockService::connect() {
  co_await subscriber_.connect();
}

void RedisLockService::close() {
  subscriber_.close();
}

asio::awaitable<lock::AcquireAttempt> RedisLockService::try_acquire(std::string resource,
                                                                    std::string owner,
                                                                    std::chrono::milliseconds ttl) {
  auto owner_key = lock_owner_key(resource);
  auto fence_key = lock_fence_key(resource);
  auto ttl_ms = std::to_string(ttl.count());
  std::array<std::string_view, 2> keys{owner_key, fence_key};
  std::array<std::string_view, 2> args{owner, ttl_ms};
  Reply reply = co_await client_.eval(acquire_script(), std::span<const std::string_view>(keys),
                                      std::span<const std::string_view>(args));
  auto parts = reply.elements();
  if (parts.size() != 2) throw ProtocolError("lock_acquire.lua: expected a pair");
  lock::AcquireAttempt attempt;
  auto token = parts[0].as_integer();
  if (token > 0) {
    attempt.fencing_token = token;
  } else {
    attempt.holder_left = std::chrono::milliseconds(std::max<long long>(0, parts[1].as_integer()));
  }
  co_return attempt;
}

asio::awaitable<bool> RedisLockService::extend(std::string resource, std::string owner,
                                               std::chrono::milliseconds ttl) {
  auto owner_key = lock_owner_key(resource);
  auto ttl_ms = std::to_string(ttl.count());
  std::array<std::string_view, 1> keys{owner_key};
  std::array<std::string_view, 2> args{owner, ttl_ms};
  Reply reply = co_await client_.eval(extend_script(), std::span<const std::string_view>(keys),
                                      std::span<const std::string_view>(args));
  co_return reply.as_integer() == 1;
}

asio::awaitable<void> RedisLockService::raise_fence(std::string resource, std::int64_t at_least) {
  auto fence_key = lock_fence_key(resource);
  auto floor = std::to_string(at_least);
  std::array<std::string_view, 1> keys{fence_key};
  std::array<std::string_view, 1> args{floor};
  (void)co_await client_.eval(fence_raise_script(), std::span<const std::string_view>(keys),
                              std::span<const std::string_view>(args));
}

asio::awaitable<bool> RedisLockService::release(std::string resource, std::string owner) {
  auto owner_key = lock_owner_key(resource);
  std::array<std::string_view, 1> keys{owner_key};
  std::array<std::string_view, 3> args{owner, kLockReleasedChannel, resource};
  Reply reply = co_await client_.eval(release_script(), std::span<const std::string_view>(keys),
                                      std::span<const std::string_view>(args));
  co_return reply.as_integer() == 1;
}

}  // namespace seckill::coordinator::redis
