#pragma once
// Ids in the embedded mode: one process owns the id space, so the per-day counters live in
// memory (InMemorySequenceSource), seeded at start with the largest id the store holds. Ids
// issued after a restart, even after `kill -9`, are therefore larger than every stored one.

#include <cstdint>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/id_source.hpp"
#include "id/id_generator.hpp"
#include "id/in_memory_sequence_source.hpp"

namespace seckill::coordinator::embedded {

/// Thread-safe (the IdGenerator is).
class EmbeddedIdSource final : public IdSource {
 public:
  /// `after_id`: the store's largest id (SqliteSaleStore::max_id_now()). It overrides
  /// `options.after_id`. Blocks fetch on `executor` (they complete at once: no I/O).
  EmbeddedIdSource(boost::asio::any_io_executor executor, std::uint64_t after_id,
                   id::IdGeneratorOptions options = {});

  /// Larger than `after_id` and than every id this object returned before. Throws IdExhausted
  /// (an InfraError) if the day's sequence is used up.
  boost::asio::awaitable<std::uint64_t> next_id() override;

  id::IdGenerator& generator() { return *generator_; }

 private:
  std::shared_ptr<id::InMemorySequenceSource> source_;
  std::unique_ptr<id::IdGenerator> generator_;
};

}  // namespace seckill::coordinator::embedded
