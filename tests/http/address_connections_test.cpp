#include "http/address_connections.hpp"

#include <gtest/gtest.h>

namespace seckill::http::detail {
namespace {

using boost::asio::ip::make_address;

TEST(AddressConnections, CapsEachAddressAlone) {
  AddressConnections counts;
  const auto a = make_address("192.0.2.1");
  const auto b = make_address("2001:db8::1");
  EXPECT_TRUE(counts.try_add(a, 2));
  EXPECT_TRUE(counts.try_add(a, 2));
  EXPECT_FALSE(counts.try_add(a, 2));
  EXPECT_TRUE(counts.try_add(b, 2));
  EXPECT_EQ(counts.count(a), 2U);
  EXPECT_EQ(counts.count(b), 1U);
  counts.remove(a);
  EXPECT_TRUE(counts.try_add(a, 2));
  counts.remove(a);
  counts.remove(a);
  counts.remove(b);
  EXPECT_EQ(counts.count(a), 0U);
  EXPECT_EQ(counts.count(b), 0U);
  counts.remove(b);  // more removes than adds change nothing
  EXPECT_TRUE(counts.try_add(b, 1));
  EXPECT_FALSE(counts.try_add(b, 1));
}

TEST(AddressConnections, V4MappedIsTheSameAddress) {
  AddressConnections counts;
  EXPECT_TRUE(counts.try_add(make_address("192.0.2.7"), 2));
  EXPECT_TRUE(counts.try_add(make_address("::ffff:192.0.2.7"), 2));
  EXPECT_FALSE(counts.try_add(make_address("192.0.2.7"), 2));
  EXPECT_EQ(counts.count(make_address("::ffff:192.0.2.7")), 2U);
}

TEST(AddressConnections, AnIpv6Slash64IsOneClient) {
  // A client rotating through the addresses of its /64 is capped as one.
  AddressConnections counts;
  EXPECT_TRUE(counts.try_add(make_address("2001:db8:1:2::1"), 2));
  EXPECT_TRUE(counts.try_add(make_address("2001:db8:1:2::2"), 2));
  EXPECT_FALSE(counts.try_add(make_address("2001:db8:1:2:ffff::3"), 2));
  EXPECT_EQ(counts.count(make_address("2001:db8:1:2::9")), 2U);
  // Another /64 is another client.
  EXPECT_TRUE(counts.try_add(make_address("2001:db8:1:3::1"), 2));
  // Closing a connection from any address of the /64 frees a place for the /64.
  counts.remove(make_address("2001:db8:1:2::1"));
  EXPECT_TRUE(counts.try_add(make_address("2001:db8:1:2::4"), 2));
}

}  // namespace
}  // namespace seckill::http::detail
