#pragma once
// Hands out global ids (id_layout.hpp) from blocks of the per-day sequence, Leaf's segment mode
// with its double buffer: while one block is being used up, the next one is fetched in the
// background, so that taking an id never waits on the SequenceSource (Redis) in the steady state.
//
// How it works, and why it is correct:
// - The "effective second" is max(clock, last second used). A clock that steps back does not take
//   the ids back: they keep the last second (and its UTC day) until the clock catches up.
// - An id is (effective second, a number of the current block). A block belongs to one UTC day
//   and is only ever combined with seconds of that day: when the effective day moves on, the
//   block in use and the one fetched ahead are dropped (their numbers are lost, never reused)
//   and blocks come from the new day's counter. Two processes thus never issue the same id:
//   within a day, each sequence number is reserved by exactly one of them.
// - Blocks of one day are reserved in increasing order and used in that order, seconds never go
//   back, and a new day starts at a larger second: so ids increase. More precisely, an id taken
//   after another call returned (on any thread) is larger than that call's id.
// - The fast path is a seqlock read of the current block plus one fetch_add on its cursor: no
//   lock, no allocation. The mutex is taken once per block (to ask for the next one, to switch).
// - The next block is asked for when `prefetch_at_percent` (20 %) of the current one is used:
//   early enough that 80 % of a block's life is left to ride out a slow reply or a retry, and
//   fetching early costs nothing but numbers lost if the process dies. Leaf asks at 10 %.
// - Adaptive size (Leaf's): a block that lasted less than `target_block_life` doubles the size
//   asked next time (up to `max_block_size`); one that lasted more than 4x that halves it (down to
//   `block_size`). Bigger blocks mean fewer counter calls, at the price of more numbers lost on
//   a restart or at midnight; 2^32 numbers a day leave room for thousands of 1M blocks.
// - Failures of the source: the fetch is retried in the background with exponential backoff
//   (`retry_initial` doubling up to `retry_max`) until it succeeds. Ids keep flowing while the
//   current block lasts; once it is used up, next() throws the last failure (an InfraError:
//   answer 503) until a retry succeeds. next() thus waits at most for one source call, whose
//   own timeout (the Redis client's) bounds the wait.
// - Exhaustion: a day whose counter is past 2^32 - 1 yields IdExhausted until the effective day
//   changes.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "id/sequence_source.hpp"

namespace seckill::id {

namespace detail {
struct IdGeneratorState;
}

/// The system clock read with CLOCK_REALTIME_COARSE: ids need seconds, not nanoseconds, and the
/// coarse clock costs a few nanoseconds (it lags the exact clock by at most one tick, ~4 ms).
std::chrono::system_clock::time_point coarse_system_now() noexcept;

struct IdGeneratorOptions {
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  std::uint32_t block_size = 10'000;       ///< size of the first block, and the smallest
  std::uint32_t max_block_size = 1 << 20;  ///< growth cap; equal to block_size: no growth
  std::chrono::milliseconds target_block_life{10'000};
  unsigned prefetch_at_percent = 20;  ///< of the current block used when the next is asked for
  std::chrono::milliseconds retry_initial{50};
  std::chrono::milliseconds retry_max{2'000};
  /// The largest id an earlier run of this process issued, or 0. Ids issued now are larger,
  /// provided the source's counters are not behind it (Redis: they are; in memory: give the
  /// InMemorySequenceSource the same id).
  std::uint64_t after_id = 0;
  Clock clock = coarse_system_now;  ///< injectable for tests
};

struct IdGeneratorStats {
  std::uint64_t blocks_used = 0;     ///< blocks switched to so far
  std::uint64_t fetch_failures = 0;  ///< failed source calls so far
  std::uint32_t block_size = 0;      ///< size the next fetch will ask for
};

class IdGenerator {
 public:
  /// Starts fetching the first block at once, on `executor` (where all background fetches and
  /// retries run). `source` is shared with those fetches: it lives as long as they do.
  IdGenerator(boost::asio::any_io_executor executor, std::shared_ptr<SequenceSource> source,
              IdGeneratorOptions options = {});

  /// Stops the background fetches (one in flight finishes and is dropped) and fails the next()
  /// calls still waiting with InfraError.
  ~IdGenerator();
  IdGenerator(const IdGenerator&) = delete;
  IdGenerator& operator=(const IdGenerator&) = delete;

  /// An id, or nullopt if no block is ready: at start-up, when the background fetch lags or
  /// fails, at midnight (one source call for the new day), or when ids are exhausted. Never
  /// waits. Lock-free except once per block. Thread-safe.
  std::optional<std::uint64_t> try_next();

  /// An id, waiting for a block only if none is ready. Throws IdExhausted when the day's
  /// sequence (or the 31-bit second) is used up, the source's InfraError when the fetch of the
  /// block it needs failed (until a background retry succeeds), and InfraError if the generator
  /// is destroyed meanwhile. Thread-safe; the generator must outlive the awaitable.
  boost::asio::awaitable<std::uint64_t> next();

  /// Counters for tests and metrics. Thread-safe.
  IdGeneratorStats stats() const;

 private:
  std::shared_ptr<detail::IdGeneratorState> state_;
};

}  // namespace seckill::id
