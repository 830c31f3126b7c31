#pragma once
// A SequenceSource that keeps the per-day counters in this process: for unit tests and for the
// single-process embedded mode, where no other process shares the id space.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "id/sequence_source.hpp"

namespace seckill::id {

class InMemorySequenceSource final : public SequenceSource {
 public:
  /// `after_id` is the largest id an earlier run of this node issued (0: none). The counter of
  /// its day starts at its sequence, so a restarted node does not hand those numbers out again.
  /// Counters of earlier days start at 0: give the generator the same id (IdGenerator::Options::
  /// after_id) so that it never goes back to them even if the clock did.
  explicit InMemorySequenceSource(std::uint64_t after_id = 0);

  /// Never throws (no I/O); completes without suspending. Thread-safe.
  boost::asio::awaitable<std::uint64_t> reserve(std::string day, std::uint32_t block) override;

  /// The same, synchronously.
  std::uint64_t reserve_now(const std::string& day, std::uint32_t block);

  /// The last number reserved on `day` (0 if none). Thread-safe.
  std::uint64_t counter(const std::string& day) const;

  /// Sets the counter of `day` (as if an INCRBY had brought it there). For tests of exhaustion.
  void set_counter(const std::string& day, std::uint64_t value);

  /// Number of days that have a counter. Thread-safe.
  std::size_t day_count() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t, std::less<>> counters_;
};

}  // namespace seckill::id
