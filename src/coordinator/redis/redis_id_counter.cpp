#include "coordinator/redis/redis_id_counter.hpp"

#include <string>

namespace seckill::coordinator::redis {

namespace {

// Takes everything by value: a coroutine started from the lambda below, which only forwards.
boost::asio::awaitable<long long> incr_by(seckill::redis::Client& client,
                                          seckill::redis::AckReplicas ack, std::string key,
                                          long long by) {
  auto amount = std::to_string(by);
  auto reply = co_await client.command({"INCRBY", key, amount}, ack);
  co_return reply.as_integer();
}

}  // namespace

id::IncrBy redis_incr_by(seckill::redis::Client& client, seckill::redis::AckReplicas ack) {
  return [&client, ack](std::string key, long long by) {
    return incr_by(client, ack, std::move(key), by);
  };
}

}  // namespace seckill::coordinator::redis
