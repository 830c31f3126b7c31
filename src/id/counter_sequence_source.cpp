#include "id/counter_sequence_source.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/infra_error.hpp"

namespace seckill::id {

CounterSequenceSource::CounterSequenceSource(std::string name, IncrBy incr_by)
    : prefix_("id:" + std::move(name) + ":"), incr_by_(std::move(incr_by)) {}

CounterSequenceSource::CounterSequenceSource(std::string name, ReserveAbove reserve,
                                             StoredSequence stored)
    : prefix_("id:" + std::move(name) + ":"),
      reserve_(std::move(reserve)),
      stored_(std::move(stored)) {}

std::uint64_t CounterSequenceSource::held(const std::string& day) {
  std::lock_guard lock(mutex_);
  auto it = held_.find(day);
  return it == held_.end() ? 0 : it->second;
}

void CounterSequenceSource::hold(const std::string& day, std::uint64_t end) {
  std::lock_guard lock(mutex_);
  auto& h = held_[day];
  h = std::max(h, end);
  while (held_.size() > 2)
    held_.erase(held_.begin());  // "yyyymmdd" sorts by date: the oldest day goes
}

std::string CounterSequenceSource::key(const std::string& day) const {
  return prefix_ + day;
}

boost::asio::awaitable<std::uint64_t> CounterSequenceSource::reserve(std::string day,
                                                                     std::uint32_t block) {
  std::string k = key(day);
  long long end = 0;
  if (reserve_) {
    const auto by = static_cast<long long>(block);
    const auto own = static_cast<long long>(held(day));
    end = co_await reserve_(k, by, own, false);
    if (end < 0) {
      // No counter for the day: the day begins, or Redis lost it. Either way it starts above
      // every id of the day the store holds and every block this source holds.
      const auto stored = static_cast<long long>(co_await stored_(day));
      const auto floor = std::max(stored, own);
      if (floor > 0) {
        spdlog::warn("id counter {} missing: created above {} (stored {}, held {})", k, floor,
                     stored, own);
      }
      end = co_await reserve_(k, by, floor, true);
    }
  } else {
    end = co_await incr_by_(k, static_cast<long long>(block));
  }
  if (end < static_cast<long long>(block)) {
    throw ProtocolError("id counter " + k + " answered " + std::to_string(end) + " to INCRBY " +
                        std::to_string(block));
  }
  if (reserve_) hold(day, static_cast<std::uint64_t>(end));
  co_return static_cast<std::uint64_t>(end);
}

}  // namespace seckill::id
