#include "http/trusted_proxies.hpp"

#include <gtest/gtest.h>

namespace seckill::http {
namespace {

using boost::asio::ip::make_address;

TrustedProxies parsed(std::string_view text) {
  auto p = TrustedProxies::parse(text);
  EXPECT_TRUE(p.has_value()) << text << ": " << (p ? "" : p.error());
  return p ? *p : TrustedProxies{};
}

std::string client(const TrustedProxies& proxies, std::string_view peer, std::string_view xff) {
  return proxies.client_address(make_address(peer), xff).to_string();
}

TEST(TrustedProxies, ParsesCidrLists) {
  auto p = parsed("10.0.0.0/8, 192.0.2.7,fd00::/8 ,2001:db8::1/128,0.0.0.0/0");
  EXPECT_TRUE(p.contains(make_address("10.255.1.2")));
  EXPECT_TRUE(p.contains(make_address("192.0.2.7")));
  EXPECT_TRUE(p.contains(make_address("fd12::3")));
  EXPECT_TRUE(p.contains(make_address("2001:db8::1")));
  EXPECT_FALSE(p.contains(make_address("2001:db8::2")));
  EXPECT_TRUE(parsed("").empty());
  EXPECT_TRUE(parsed("::/0").contains(make_address("2001:db8::9")));
  // Bits beyond the prefix are ignored.
  EXPECT_TRUE(parsed("10.1.2.3/8").contains(make_address("10.9.9.9")));
  auto narrow = parsed("192.0.2.0/25");
  EXPECT_TRUE(narrow.contains(make_address("192.0.2.127")));
  EXPECT_FALSE(narrow.contains(make_address("192.0.2.128")));
}

TEST(TrustedProxies, RefusesBadCidrsNamingThem) {
  for (const char* bad :
       {"10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0/8", "host.example", "10.0.0.0/8,",
        ",10.0.0.0/8", "10.0.0.0/-1", "10.0.0.0/8x", "1.2.3.4 5"}) {
    auto p = TrustedProxies::parse(bad);
    EXPECT_FALSE(p.has_value()) << bad;
  }
  auto p = TrustedProxies::parse("10.0.0.0/8,300.1.1.1/32");
  ASSERT_FALSE(p.has_value());
  EXPECT_NE(p.error().find("300.1.1.1/32"), std::string::npos) << p.error();
}

TEST(TrustedProxies, V4MappedIsIpv4) {
  auto p = parsed("127.0.0.1/32");
  EXPECT_TRUE(p.contains(make_address("::ffff:127.0.0.1")));
  EXPECT_EQ(client(p, "::ffff:127.0.0.1", "::ffff:198.51.100.4"), "198.51.100.4");
  EXPECT_EQ(client(p, "::ffff:203.0.113.9", "198.51.100.4"), "203.0.113.9");
  // A v4-mapped range matches the plain IPv4 address too.
  EXPECT_TRUE(parsed("::ffff:10.0.0.0/104").contains(make_address("10.3.3.3")));
}

TEST(TrustedProxies, UntrustedPeerIsTheClientWhateverItSays) {
  auto p = parsed("10.0.0.0/8");
  EXPECT_EQ(client(p, "203.0.113.9", "198.51.100.4"), "203.0.113.9");
  EXPECT_EQ(client(p, "203.0.113.9", ""), "203.0.113.9");
  EXPECT_EQ(client(TrustedProxies{}, "10.0.0.1", "198.51.100.4"), "10.0.0.1");
}

TEST(TrustedProxies, RightmostUntrustedEntryIsTheClient) {
  auto p = parsed("10.0.0.0/8,2001:db8:ffff::/48");
  // The client's own (forged) entries on the left do not matter.
  EXPECT_EQ(client(p, "10.0.0.1", "1.1.1.1, 198.51.100.4"), "198.51.100.4");
  EXPECT_EQ(client(p, "10.0.0.1", "1.1.1.1, 198.51.100.4, 10.0.0.2"), "198.51.100.4");
  EXPECT_EQ(client(p, "10.0.0.1", "2001:db8::5,10.9.9.9"), "2001:db8::5");
  EXPECT_EQ(client(p, "2001:db8:ffff::1", "198.51.100.4"), "198.51.100.4");
  // Every entry trusted: the leftmost.
  EXPECT_EQ(client(p, "10.0.0.1", "10.0.0.3, 10.0.0.2"), "10.0.0.3");
  // No header from a trusted peer: the peer.
  EXPECT_EQ(client(p, "10.0.0.1", ""), "10.0.0.1");
}

TEST(TrustedProxies, PortsAndBracketsAreRead) {
  auto p = parsed("10.0.0.0/8");
  EXPECT_EQ(client(p, "10.0.0.1", "198.51.100.4:4711"), "198.51.100.4");
  EXPECT_EQ(client(p, "10.0.0.1", "[2001:db8::7]:4711"), "2001:db8::7");
  EXPECT_EQ(client(p, "10.0.0.1", "[2001:db8::7]"), "2001:db8::7");
  EXPECT_EQ(client(p, "10.0.0.1", " 198.51.100.4 , 10.0.0.2 "), "198.51.100.4");
}

TEST(TrustedProxies, MalformedEntryStopsAtTheLastGoodAddress) {
  auto p = parsed("10.0.0.0/8");
  EXPECT_EQ(client(p, "10.0.0.1", "unknown"), "10.0.0.1");
  EXPECT_EQ(client(p, "10.0.0.1", "198.51.100.4, garbage"), "10.0.0.1");
  EXPECT_EQ(client(p, "10.0.0.1", "198.51.100.4, not-an-ip, 10.0.0.2"), "10.0.0.2");
  EXPECT_EQ(client(p, "10.0.0.1", "[2001:db8::7"), "10.0.0.1");
  EXPECT_EQ(client(p, "10.0.0.1", "[192.0.2.1]"), "10.0.0.1");
  EXPECT_EQ(client(p, "10.0.0.1", "_hidden"), "10.0.0.1");
  // Past kMaxHops trusted entries the walk stops at the last one read.
  std::string chain = "198.51.100.4";
  for (int i = 0; i < 40; ++i)
    chain += ", 10.0.0.9";
  EXPECT_EQ(client(p, "10.0.0.1", chain), "10.0.0.9");
}

TEST(TrustedProxies, SeveralFieldLinesAreOneList) {
  auto p = parsed("127.0.0.1/32");
  Request request;
  request.insert("X-Forwarded-For", "198.51.100.4");
  request.insert("x-forwarded-for", "127.0.0.1");
  EXPECT_EQ(p.client_address(make_address("127.0.0.1"), request).to_string(), "198.51.100.4");
  Request one;
  one.insert("X-Forwarded-For", "203.0.113.1, 198.51.100.9");
  EXPECT_EQ(p.client_address(make_address("127.0.0.1"), one).to_string(), "198.51.100.9");
  EXPECT_EQ(p.client_address(make_address("127.0.0.2"), one).to_string(), "127.0.0.2");
}

}  // namespace
}  // namespace seckill::http
