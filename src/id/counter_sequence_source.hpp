#pragma once
// A SequenceSource over a shared atomic counter per day, key `id:<name>:<yyyymmdd>`: one INCRBY
// reserves a block. The Redis adapter is then just the IncrBy below bound to a Redis client, e.g.
//
//   auto source = std::make_shared<CounterSequenceSource>("order",
//       [&redis](std::string key, long long by) { return redis.incrby(std::move(key), by); });
//
// (the lambda only forwards: the coroutine is redis.incrby, which takes its arguments by value).

#include <functional>
#include <string>

#include "id/sequence_source.hpp"

namespace seckill::id {

/// `INCRBY key by`: adds `by` to the integer at `key` (0 if missing) and returns the new value.
/// Throws InfraError on failure.
using IncrBy = std::function<boost::asio::awaitable<long long>(std::string key, long long by)>;

class CounterSequenceSource final : public SequenceSource {
 public:
  /// `name` names the id space (e.g. "order"); ids of different names may collide.
  CounterSequenceSource(std::string name, IncrBy incr_by);

  /// The counter key of a day: "id:<name>:<yyyymmdd>".
  std::string key(const std::string& day) const;

  /// One INCRBY. Throws what IncrBy throws, and ProtocolError if the counter answers less than
  /// `block` (someone wrote the key by hand: the numbers below it may be in use).
  boost::asio::awaitable<std::uint64_t> reserve(std::string day, std::uint32_t block) override;

 private:
  std::string prefix_;
  IncrBy incr_by_;
};

}  // namespace seckill::id
