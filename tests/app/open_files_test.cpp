#include "app/open_files.hpp"

#include <sys/resource.h>

#include <gtest/gtest.h>

namespace seckill::app {
namespace {

TEST(OpenFiles, SoftLimitIsRaisedToTheHardLimit) {
  rlimit rl{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &rl), 0);
  if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max <= 64) GTEST_SKIP() << "hard limit too low";
  // Start from a low soft limit, as systemd and many shells do (1024).
  rlimit low = rl;
  low.rlim_cur = 64;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  const OpenFilesLimit raised = raise_open_files_limit();
  EXPECT_FALSE(raised.error.has_value());
  EXPECT_EQ(raised.soft_before, 64U);
  EXPECT_EQ(raised.hard, rl.rlim_max);
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &rl), 0);
  EXPECT_EQ(raised.soft, rl.rlim_cur);
  if (rl.rlim_max != RLIM_INFINITY) {
    EXPECT_EQ(rl.rlim_cur, rl.rlim_max);
  }
  EXPECT_GT(rl.rlim_cur, 64U);
  // Already at the hard limit: nothing changes.
  const OpenFilesLimit again = raise_open_files_limit();
  EXPECT_EQ(again.soft_before, again.soft);
}

}  // namespace
}  // namespace seckill::app
