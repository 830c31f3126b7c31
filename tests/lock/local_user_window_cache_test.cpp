// The in-process user-window cache holds an absolute end: an entry is gone when the window ends,
// however late it was written.
#include "lock/local_user_window_cache.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace seckill::lock {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

template <class T>
T run(asio::awaitable<T> a) {
  asio::io_context io;
  auto f = asio::co_spawn(io, std::move(a), asio::use_future);
  io.run();
  return f.get();
}

const SysTime kT0 = SysTime(std::chrono::sys_days(std::chrono::year(2026) / 11 / 22));

TEST(LocalUserWindowCache, AnEntryEndsAtTheWindowsEndNotAWindowAfterItsWrite) {
  SysTime now = kT0;
  LocalUserWindowCache cache([&now] { return now; });
  // Written 10 s after the decision: 5 s of a 15 s window are left, not 15.
  run(cache.remember("T-1", 7, kT0 + 5s, 99));
  auto held = run(cache.remaining("T-1", 7));
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->left, 5s);
  EXPECT_EQ(held->reminder_id, 99u);
  EXPECT_FALSE(run(cache.remaining("T-1", 8)).has_value());
  now += 5s;
  EXPECT_FALSE(run(cache.remaining("T-1", 7)).has_value());
  // An end already past stores nothing.
  run(cache.remember("T-1", 7, now - 1ms, 99));
  EXPECT_FALSE(run(cache.remaining("T-1", 7)).has_value());
}

}  // namespace
}  // namespace seckill::lock
