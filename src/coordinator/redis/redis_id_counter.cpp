#include "coordinator/redis/redis_id_counter.hpp"

#include <string>

#include "seckill_coordinator_redis_embedded.hpp"

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

const seckill::redis::Script& reserve_script() {
  static const seckill::redis::Script script("reserve_ids", std::string(scripts::reserve_ids));
  return script;
}

boost::asio::awaitable<long long> reserve_above(seckill::redis::Client& client,
                                                seckill::redis::AckReplicas ack, std::string key,
                                                long long by, long long floor, bool create) {
  auto reply =
      co_await client.eval(reserve_script(), {key},
                           {std::to_string(by), std::to_string(floor), create ? "1" : "0"}, ack);
  co_return reply.as_integer();
}

}  // namespace

id::ReserveAbove redis_reserve_above(seckill::redis::Client& client,
                                     seckill::redis::AckReplicas ack) {
  return [&client, ack](std::string key, long long by, long long floor, bool create) {
    return reserve_above(client, ack, std::move(key), by, floor, create);
  };
}

id::IncrBy redis_incr_by(seckill::redis::Client& client, seckill::redis::AckReplicas ack) {
  return [&client, ack](std::string key, long long by) {
    return incr_by(client, ack, std::move(key), by);
  };
}

}  // namespace seckill::coordinator::redis
