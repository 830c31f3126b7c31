#include "redis/redis_url.hpp"

#include <gtest/gtest.h>

namespace seckill::redis {
namespace {

TEST(RedisUrl, ParsesHostPortDb) {
  EXPECT_EQ(parse_redis_url("redis://127.0.0.1:6380").value(), (RedisUrl{"127.0.0.1", 6380, 0}));
  EXPECT_EQ(parse_redis_url("redis://cache.local:7000/3").value(),
            (RedisUrl{"cache.local", 7000, 3}));
  EXPECT_EQ(parse_redis_url("redis://localhost").value(), (RedisUrl{"localhost", 6379, 0}));
  EXPECT_EQ(parse_redis_url("redis://localhost/").value(), (RedisUrl{"localhost", 6379, 0}));
  EXPECT_EQ(parse_redis_url("redis://[::1]:6390/2").value(), (RedisUrl{"::1", 6390, 2}));
}

TEST(RedisUrl, RefusesMalformedWithAMessage) {
  for (auto bad : {"",
                   "127.0.0.1:6379",
                   "http://h:1",
                   "redis://",
                   "redis://:6379",
                   "redis://h:",
                   "redis://h:0",
                   "redis://h:65536",
                   "redis://h:port",
                   "redis://h:1/x",
                   "redis://h:1/-1",
                   "redis://h:1?db=2",
                   "redis://p@h:1",
                   "redis://:@h:1",
                   "redis://:p%4@h:1",
                   "redis://:p%zz@h:1",
                   "rediss://",
                   "redis://h h:1",
                   "redis://[::1",
                   "redis://[::1]x"}) {
    auto parsed = parse_redis_url(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_NE(parsed.error().find("invalid Redis URL"), std::string::npos) << parsed.error();
  }
}

TEST(RedisUrl, ParsesCredentials) {
  RedisUrl with_user{"h", 1, 2};
  with_user.user = "app";
  with_user.password = "secret";
  EXPECT_EQ(parse_redis_url("redis://app:secret@h:1/2").value(), with_user);

  RedisUrl default_user{"h", 6379, 0};
  default_user.password = "p@ss/w:rd#?";
  // Percent-decoded, and the last '@' ends the credentials (an unescaped '@' or '/' works).
  EXPECT_EQ(parse_redis_url("redis://:p%40ss%2Fw%3Ard%23%3F@h").value(), default_user);
  EXPECT_EQ(parse_redis_url("redis://:p@ss/w:rd#?@h").value(), default_user);
  EXPECT_TRUE(default_user.has_credentials());
  EXPECT_FALSE(parse_redis_url("redis://h").value().has_credentials());

  RedisUrl tls{"::1", 6380, 0};
  tls.tls = true;
  tls.password = "pw";
  EXPECT_EQ(parse_redis_url("rediss://:pw@[::1]:6380").value(), tls);
}

TEST(RedisUrl, NeverShowsThePassword) {
  for (auto bad : {"redis://:Hunter2@h:0", "redis://u:Hunter2@h:x", "redis://u:Hunter2@h:1?x",
                   "redis://:Hunter2%zz@h:1", "redis://Hunter2@h:1", "http://u:Hunter2@h"}) {
    auto parsed = parse_redis_url(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().find("Hunter2"), std::string::npos) << parsed.error();
  }
  auto list = parse_redis_urls("redis://:Hunter2@a:1,redis://:Hunter2@b:0");
  ASSERT_FALSE(list.has_value());
  EXPECT_EQ(list.error().find("Hunter2"), std::string::npos) << list.error();

  EXPECT_EQ(to_string(parse_redis_url("redis://app:Hunter2@h:1/2").value()),
            "redis://app:***@h:1/2");
  EXPECT_EQ(to_string(parse_redis_url("rediss://:Hunter2@h:1").value()), "rediss://:***@h:1/0");
  EXPECT_EQ(redact_url("redis://app:Hunter2@h:1,redis://:x@y:2,redis://z:3"),
            "redis://app:***@h:1,redis://:***@y:2,redis://z:3");
  EXPECT_EQ(redact_url("redis://Hunter2@h:1"), "redis://***@h:1");
}

TEST(RedisUrl, ParsesACommaSeparatedList) {
  auto urls = parse_redis_urls("redis://a:1,redis://b:2/1, redis://c:3").value();
  ASSERT_EQ(urls.size(), 3u);
  EXPECT_EQ(urls[0], (RedisUrl{"a", 1, 0}));
  EXPECT_EQ(urls[1], (RedisUrl{"b", 2, 1}));
  EXPECT_EQ(urls[2], (RedisUrl{"c", 3, 0}));
  EXPECT_FALSE(parse_redis_urls("redis://a:1,").has_value());
  EXPECT_FALSE(parse_redis_urls("redis://a:1,nope").has_value());
}

TEST(RedisUrl, FormatsBack) {
  EXPECT_EQ(to_string(RedisUrl{"h", 1, 2}), "redis://h:1/2");
  EXPECT_EQ(to_string(RedisUrl{"::1", 1, 0}), "redis://[::1]:1/0");
  RedisUrl tls{"h", 1, 0};
  tls.tls = true;
  EXPECT_EQ(to_string(tls), "rediss://h:1/0");
}

TEST(RedisUrl, ParsesASentinelUrl) {
  RedisUrl expected;
  expected.host.clear();
  expected.port = 0;
  expected.sentinel_master = "mymaster";
  expected.sentinels = {{"10.0.0.1", 26379}, {"s2.local", 5000}, {"::1", 26380}};
  auto url = parse_redis_url("redis-sentinel://10.0.0.1,s2.local:5000,[::1]:26380#mymaster");
  ASSERT_TRUE(url.has_value()) << url.error();
  EXPECT_EQ(*url, expected);
  EXPECT_TRUE(url->sentinel());
  EXPECT_FALSE(parse_redis_url("redis://h:1").value().sentinel());

  // The credentials and DB are the master's; '#' and '@' in the password work as elsewhere.
  expected.user = "app";
  expected.password = "p#w@d";
  expected.db = 3;
  url = parse_redis_url("redis-sentinel://app:p#w@d@10.0.0.1,s2.local:5000,[::1]:26380/3#mymaster");
  ASSERT_TRUE(url.has_value()) << url.error();
  EXPECT_EQ(*url, expected);

  // Its commas separate sentinels, not cluster seeds.
  EXPECT_TRUE(is_sentinel_url("redis-sentinel://a:1,b:2#m"));
  EXPECT_FALSE(is_sentinel_url("redis://a:1,redis://b:2"));
  auto list = parse_redis_urls("redis-sentinel://a:1,b:2#m").value();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].sentinels.size(), 2u);
}

TEST(RedisUrl, RefusesMalformedSentinelUrls) {
  for (auto bad : {"redis-sentinel://", "redis-sentinel://h:1", "redis-sentinel://h:1#",
                   "redis-sentinel://#m", "redis-sentinel://h:1,#m", "redis-sentinel://h:0#m",
                   "redis-sentinel://h:x#m", "redis-sentinel://h:1/x#m", "redis-sentinel://h:1?a#m",
                   "redis-sentinel://h:1#m/x", "redis-sentinel://:Hunter2@h:1"}) {
    auto parsed = parse_redis_url(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_NE(parsed.error().find("invalid Redis URL"), std::string::npos) << parsed.error();
    EXPECT_EQ(parsed.error().find("Hunter2"), std::string::npos) << parsed.error();
  }
}

TEST(RedisUrl, FormatsASentinelUrlWithoutThePassword) {
  auto url = parse_redis_url("redis-sentinel://app:Hunter2@a:1,[::1]:2/4#m").value();
  url.sentinel_password = "Hunter3";
  EXPECT_EQ(to_string(url), "redis-sentinel://app:***@a:1,[::1]:2/4#m");
  EXPECT_EQ(redact_url("redis-sentinel://:Hunter2@a:1,b:2#m"), "redis-sentinel://:***@a:1,b:2#m");
}

}  // namespace
}  // namespace seckill::redis
