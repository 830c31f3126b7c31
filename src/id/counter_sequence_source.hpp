#pragma once
// A SequenceSource over a shared atomic counter per day, key `id:<name>:<yyyymmdd>`: one INCRBY
// reserves a block. The Redis adapter is then just the IncrBy below bound to a Redis client, e.g.
//
//   auto source = std::make_shared<CounterSequenceSource>("order",
//       [&redis](std::string key, long long by) { return redis.incrby(std::move(key), by); });
//
// (the lambda only forwards: the coroutine is redis.incrby, which takes its arguments by value).

#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "id/sequence_source.hpp"

namespace seckill::id {

/// `INCRBY key by`: adds `by` to the integer at `key` (0 if missing) and returns the new value.
/// Throws InfraError on failure.
using IncrBy = std::function<boost::asio::awaitable<long long>(std::string key, long long by)>;

/// `INCRBY key by` after raising the integer at `key` to at least `floor`, in one step (a Redis
/// script); returns the new value. If `key` is missing and `create` is false, changes nothing
/// and returns -1 (the caller reads the store's floor, then calls again with `create`). Throws
/// InfraError on failure.
using ReserveAbove = std::function<boost::asio::awaitable<long long>(std::string key, long long by,
                                                                     long long floor, bool create)>;

/// The largest sequence number of UTC day `day` ("yyyymmdd") among the ids the store holds (0
/// if none). Throws InfraError when the store cannot answer.
using StoredSequence = std::function<boost::asio::awaitable<std::uint64_t>(std::string day)>;

/// Ids are never reused after the counter is lost (a Redis restarted without persistence, a
/// failover to a replica that missed it, a key deleted by hand): a missing day counter is
/// created above the store's largest sequence of the day and above the blocks this source got
/// for that day; and every reservation raises the counter above this source's own blocks first,
/// so an instance that still holds blocks from before the loss pushes the counter past them on
/// its next fetch. What no seed can cover (another instance's block it has not fetched past yet,
/// whose ids are not stored yet) is caught by the store, which refuses an id stored for another
/// order (docs/reliability.md).
class CounterSequenceSource final : public SequenceSource {
 public:
  /// `name` names the id space (e.g. "order"); ids of different names may collide.
  /// Plain INCRBY: a lost counter starts again at 1 (tests, tools).
  CounterSequenceSource(std::string name, IncrBy incr_by);
  /// Seeded: see the class comment. `stored` is asked only when the day's counter is missing.
  CounterSequenceSource(std::string name, ReserveAbove reserve, StoredSequence stored);

  /// The counter key of a day: "id:<name>:<yyyymmdd>".
  std::string key(const std::string& day) const;

  /// One INCRBY. Throws what IncrBy throws, and ProtocolError if the counter answers less than
  /// `block` (someone wrote the key by hand: the numbers below it may be in use).
  boost::asio::awaitable<std::uint64_t> reserve(std::string day, std::uint32_t block) override;

 private:
  /// The end of the last block this source got for `day` (0 if none), and one more block.
  std::uint64_t held(const std::string& day);
  void hold(const std::string& day, std::uint64_t end);

  std::string prefix_;
  IncrBy incr_by_;
  ReserveAbove reserve_;
  StoredSequence stored_;
  std::mutex mutex_;
  std::map<std::string, std::uint64_t> held_;  ///< day -> end of its last block; two days kept
};

}  // namespace seckill::id
