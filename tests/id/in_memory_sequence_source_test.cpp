#include "id/in_memory_sequence_source.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "id/id_layout.hpp"

namespace seckill::id {
namespace {

TEST(InMemorySequenceSource, CountsPerDayFromOne) {
  InMemorySequenceSource source;
  EXPECT_EQ(source.reserve_now("20250301", 10), 10U);
  EXPECT_EQ(source.reserve_now("20250301", 5), 15U);
  EXPECT_EQ(source.reserve_now("20250302", 3), 3U);
  EXPECT_EQ(source.counter("20250301"), 15U);
  EXPECT_EQ(source.counter("20250303"), 0U);
  EXPECT_EQ(source.day_count(), 2U);
}

TEST(InMemorySequenceSource, ResumesAboveTheHighWaterMark) {
  const std::uint32_t second = first_second_of(425) + 30;
  InMemorySequenceSource source(encode(second, 1'234));
  EXPECT_EQ(source.reserve_now(day_key(425), 10), 1'244U);
  EXPECT_EQ(source.reserve_now(day_key(426), 10), 10U);
}

TEST(InMemorySequenceSource, IsThreadSafe) {
  InMemorySequenceSource source;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&source] {
      for (int i = 0; i < 10'000; ++i)
        source.reserve_now("20250301", 3);
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(source.counter("20250301"), 120'000U);
}

}  // namespace
}  // namespace seckill::id
