#include "id/in_memory_sequence_source.hpp"

#include "id/id_layout.hpp"

namespace seckill::id {

InMemorySequenceSource::InMemorySequenceSource(std::uint64_t after_id) {
  if (after_id != 0) {
    const IdParts parts = decode(after_id);
    counters_.emplace(day_key(day_of(parts.seconds)), parts.sequence);
  }
}

boost::asio::awaitable<std::uint64_t> InMemorySequenceSource::reserve(std::string day,
                                                                      std::uint32_t block) {
  co_return reserve_now(day, block);
}

std::uint64_t InMemorySequenceSource::reserve_now(const std::string& day, std::uint32_t block) {
  std::lock_guard lock(mutex_);
  auto it = counters_.find(day);
  if (it == counters_.end()) it = counters_.emplace(day, 0).first;
  it->second += block;
  return it->second;
}

std::uint64_t InMemorySequenceSource::counter(const std::string& day) const {
  std::lock_guard lock(mutex_);
  auto it = counters_.find(day);
  return it == counters_.end() ? 0 : it->second;
}

void InMemorySequenceSource::set_counter(const std::string& day, std::uint64_t value) {
  std::lock_guard lock(mutex_);
  counters_[day] = value;
}

std::size_t InMemorySequenceSource::day_count() const {
  std::lock_guard lock(mutex_);
  return counters_.size();
}

}  // namespace seckill::id
