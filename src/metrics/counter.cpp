#include "metrics/counter.hpp"

namespace seckill::metrics {
namespace {

constexpr std::size_t kPerLine = 64 / sizeof(std::atomic<std::uint64_t>);
std::atomic<std::size_t> next_shard{0};

}  // namespace

std::size_t this_thread_shard() {
  thread_local const std::size_t shard =
      next_shard.fetch_add(1, std::memory_order_relaxed) % kShards;
  return shard;
}

ShardedCounters::ShardedCounters(std::size_t size)
    : size_(size),
      stride_((size + kPerLine - 1) / kPerLine * kPerLine),
      cells_(new std::atomic<std::uint64_t>[kShards * stride_]) {
  for (std::size_t i = 0; i < kShards * stride_; ++i) {
    cells_[i].store(0, std::memory_order_relaxed);
  }
}

std::uint64_t ShardedCounters::value(std::size_t index) const {
  std::uint64_t sum = 0;
  for (std::size_t s = 0; s < kShards; ++s) {
    sum += cells_[s * stride_ + index].load(std::memory_order_relaxed);
  }
  return sum;
}

}  // namespace seckill::metrics
