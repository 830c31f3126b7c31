#include "id/counter_sequence_source.hpp"

#include <utility>

#include "core/infra_error.hpp"

namespace seckill::id {

CounterSequenceSource::CounterSequenceSource(std::string name, IncrBy incr_by)
    : prefix_("id:" + std::move(name) + ":"), incr_by_(std::move(incr_by)) {}

std::string CounterSequenceSource::key(const std::string& day) const {
  return prefix_ + day;
}

boost::asio::awaitable<std::uint64_t> CounterSequenceSource::reserve(std::string day,
                                                                     std::uint32_t block) {
  std::string k = key(day);
  const long long end = co_await incr_by_(k, static_cast<long long>(block));
  if (end < static_cast<long long>(block)) {
    throw ProtocolError("id counter " + k + " answered " + std::to_string(end) + " to INCRBY " +
                        std::to_string(block));
  }
  co_return static_cast<std::uint64_t>(end);
}

}  // namespace seckill::id
