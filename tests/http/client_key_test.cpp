#include "http/client_key.hpp"

#include <gtest/gtest.h>

namespace seckill::http {
namespace {

using boost::asio::ip::make_address;

ClientKey key(const char* address) {
  return ClientKey::of(make_address(address));
}

TEST(ClientKey, AnIpv4AddressIsItself) {
  EXPECT_EQ(key("192.0.2.1").to_string(), "192.0.2.1");
  EXPECT_TRUE(key("192.0.2.1").is_v4());
  EXPECT_NE(key("192.0.2.1"), key("192.0.2.2"));
}

TEST(ClientKey, AnIpv4MappedIpv6AddressIsItsIpv4Address) {
  EXPECT_EQ(key("::ffff:192.0.2.1"), key("192.0.2.1"));
  EXPECT_EQ(key("::ffff:192.0.2.1").to_string(), "192.0.2.1");
  EXPECT_NE(key("::ffff:192.0.2.1"), key("::ffff:192.0.2.2"));
}

TEST(ClientKey, AnIpv6AddressIsItsSlash64) {
  // Every address a host may rotate through in its /64 is one client...
  EXPECT_EQ(key("2001:db8:1:2::1"), key("2001:db8:1:2::2"));
  EXPECT_EQ(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff:ffff:ffff:ffff"));
  EXPECT_EQ(key("2001:db8:1:2:a:b:c:d").to_string(), "2001:db8:1:2::/64");
  EXPECT_FALSE(key("2001:db8:1:2::1").is_v4());
  // ...and the next /64 is another.
  EXPECT_NE(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
  EXPECT_NE(key("2001:db8:1:2::1"), key("2001:db9:1:2::1"));
}

TEST(ClientKey, Ipv4AndIpv6NeverMeet) {
  // ::c000:201 (an IPv4-compatible address, not mapped) lies in ::/64, not at 192.0.2.1.
  EXPECT_NE(key("::c000:201"), key("192.0.2.1"));
  EXPECT_EQ(key("::c000:201").to_string(), "::/64");
  EXPECT_EQ(key("::1"), key("::2"));
}

}  // namespace
}  // namespace seckill::http
