#include "api/event_stream_caps.hpp"

#include <memory>
#include <vector>

#include <gtest/gtest.h>

namespace seckill::api {
namespace {

using boost::asio::ip::make_address;

TEST(EventStreamCaps, CapsEachUserAndEachAddress) {
  auto caps = std::make_shared<EventStreamCaps>(EventStreamLimits{2, 3});
  const auto a = make_address("192.0.2.1");
  auto first = caps->open(1, a);
  auto second = caps->open(1, make_address("192.0.2.2"));
  ASSERT_TRUE(first && second);
  auto third = caps->open(1, make_address("192.0.2.3"));
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, ErrorCode::rate_limited);
  EXPECT_NE(third.error().message.find("this user"), std::string::npos);
  EXPECT_EQ(third.error().retry_after_s, EventStreamCaps::kRetryS);
  auto other = caps->open(2, a);
  auto more = caps->open(3, a);
  ASSERT_TRUE(other && more);
  auto over = caps->open(4, a);
  ASSERT_FALSE(over);
  EXPECT_NE(over.error().message.find("this address"), std::string::npos);
  // A closed stream frees its places.
  first->reset();
  EXPECT_TRUE(caps->open(4, a));
}

TEST(EventStreamCaps, AnIpv6Slash64IsOneAddress) {
  auto caps = std::make_shared<EventStreamCaps>(EventStreamLimits{100, 2});
  std::vector<std::shared_ptr<EventStreamCaps::Slot>> open;
  for (const char* address : {"2001:db8:1:2::1", "2001:db8:1:2::2"}) {
    auto slot = caps->open(open.size() + 1, make_address(address));
    ASSERT_TRUE(slot) << address;
    open.push_back(*slot);
  }
  auto rotated = caps->open(10, make_address("2001:db8:1:2:dead:beef::1"));
  ASSERT_FALSE(rotated);
  EXPECT_NE(rotated.error().message.find("this address"), std::string::npos);
  EXPECT_TRUE(caps->open(11, make_address("2001:db8:1:3::1")));
}

TEST(EventStreamCaps, AnIpv4MappedAddressIsItsIpv4Address) {
  auto caps = std::make_shared<EventStreamCaps>(EventStreamLimits{100, 1});
  auto slot = caps->open(1, make_address("192.0.2.9"));
  ASSERT_TRUE(slot);
  EXPECT_FALSE(caps->open(2, make_address("::ffff:192.0.2.9")));
}

}  // namespace
}  // namespace seckill::api
