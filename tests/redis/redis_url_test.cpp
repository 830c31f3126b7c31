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
  for (auto bad : {"", "127.0.0.1:6379", "http://h:1", "redis://", "redis://:6379",
                   "redis://h:", "redis://h:0", "redis://h:65536", "redis://h:port",
                   "redis://h:1/x", "redis://h:1/-1", "redis://u:p@h:1", "redis://h:1?db=2",
                   "redis://h h:1", "redis://[::1", "redis://[::1]x"}) {
    auto parsed = parse_redis_url(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_NE(parsed.error().find("invalid Redis URL"), std::string::npos) << parsed.error();
  }
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
}

}  // namespace
}  // namespace seckill::redis
