#include "api/rate_limit_admission.hpp"

#include <chrono>
#include <map>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace seckill::api {
namespace {

using boost::asio::ip::make_address;
using namespace std::chrono_literals;

/// Allows `limit.burst` takes per key, and remembers the keys.
class CountingLimiter final : public ratelimit::RateLimiter {
 public:
  boost::asio::awaitable<ratelimit::RateDecision> take(std::string_view key,
                                                       RateLimit limit) override {
    auto& n = taken[std::string(key)];
    ++n;
    co_return ratelimit::RateDecision{n <= limit.burst, 1s};
  }
  std::map<std::string, std::int64_t> taken;
};

bool admitted(RateLimitAdmission& admission, const char* address) {
  boost::asio::io_context io;
  auto refused = boost::asio::co_spawn(io, admission.before_authentication(make_address(address)),
                                       boost::asio::use_future);
  io.run();
  return !refused.get().has_value();
}

TEST(RateLimitAdmission, PerAddressBucketsAreClientKeys) {
  CountingLimiter limiter;
  RateLimitAdmission admission(limiter, RateLimits{std::nullopt, RateLimit{2, 60s, 2}});
  // A host rotating through its IPv6 /64 takes from one bucket.
  EXPECT_TRUE(admitted(admission, "2001:db8:1:2::1"));
  EXPECT_TRUE(admitted(admission, "2001:db8:1:2::2"));
  EXPECT_FALSE(admitted(admission, "2001:db8:1:2:ffff::3"));
  EXPECT_TRUE(admitted(admission, "2001:db8:1:3::1"));
  // An IPv4-mapped address takes from its IPv4 address's bucket.
  EXPECT_TRUE(admitted(admission, "192.0.2.1"));
  EXPECT_TRUE(admitted(admission, "::ffff:192.0.2.1"));
  EXPECT_FALSE(admitted(admission, "192.0.2.1"));
  EXPECT_EQ(limiter.taken.count("ip:2001:db8:1:2::/64"), 1U);
  EXPECT_EQ(limiter.taken.count("ip:192.0.2.1"), 1U);
  EXPECT_EQ(limiter.taken.size(), 3U);
}

}  // namespace
}  // namespace seckill::api
