#pragma once
// Where blocks of the per-day id sequence come from. IdGenerator owns this interface; backends
// implement it: CounterSequenceSource over any INCRBY (Redis in production), and
// InMemorySequenceSource for tests and the single-process embedded mode.

#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>

namespace seckill::id {

class SequenceSource {
 public:
  virtual ~SequenceSource() = default;

  /// Reserves `block` (> 0) consecutive numbers of the sequence of UTC day `day` ("yyyymmdd",
  /// see day_key) and returns the last one: the block is [end - block + 1, end]. The first number
  /// of a day is 1. Every number of a day is reserved at most once over all callers of all
  /// processes sharing the source; `end` may exceed kMaxSequence (the caller clamps and reports
  /// exhaustion). Throws InfraError (IoError, TimeoutError, ...) when the backend fails; a failed
  /// call may still have reserved the block (it is then lost, never handed out twice).
  /// Thread-safe; the object must outlive the returned awaitable.
  virtual boost::asio::awaitable<std::uint64_t> reserve(std::string day, std::uint32_t block) = 0;
};

}  // namespace seckill::id
