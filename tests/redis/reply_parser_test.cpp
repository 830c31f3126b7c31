#include "redis/reply_parser.hpp"

#include <string>

#include <gtest/gtest.h>

#include "core/infra_error.hpp"

namespace seckill::redis {
namespace {

Reply parse_one(std::string_view bytes) {
  ReplyParser parser;
  parser.feed(bytes);
  auto reply = parser.next();
  EXPECT_TRUE(reply.has_value()) << bytes;
  EXPECT_FALSE(parser.next().has_value());
  return reply.value_or(Reply::error("no reply"));
}

TEST(ReplyParser, EveryType) {
  EXPECT_EQ(parse_one("+OK\r\n"), Reply::status("OK"));
  EXPECT_EQ(parse_one("-ERR wrong\r\n"), Reply::error("ERR wrong"));
  EXPECT_EQ(parse_one(":42\r\n"), Reply::integer(42));
  EXPECT_EQ(parse_one(":-9223372036854775808\r\n"), Reply::integer(INT64_MIN));
  EXPECT_EQ(parse_one("$5\r\nhello\r\n"), Reply::string("hello"));
  EXPECT_EQ(parse_one("$0\r\n\r\n"), Reply::string(""));
  EXPECT_EQ(parse_one("$-1\r\n"), Reply::nil());
  EXPECT_EQ(parse_one("*-1\r\n"), Reply::nil());
  EXPECT_EQ(parse_one("*0\r\n"), Reply::array({}));
}

TEST(ReplyParser, BinarySafeBulk) {
  std::string bytes("$5\r\na\0\r\nb\r\n", 11);
  Reply r = parse_one(bytes);
  ASSERT_TRUE(r.is_string());
  EXPECT_EQ(r.as_string(), std::string_view("a\0\r\nb", 5));
}

TEST(ReplyParser, NestedArrays) {
  Reply r = parse_one("*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n*1\r\n*1\r\n+deep\r\n");
  ASSERT_TRUE(r.is_array());
  ASSERT_EQ(r.elements().size(), 3u);
  EXPECT_EQ(r.elements()[0].as_integer(), 1);
  EXPECT_EQ(r.elements()[1], Reply::array({Reply::string("a"), Reply::nil()}));
  EXPECT_EQ(r.elements()[2].elements()[0].elements()[0].as_string(), "deep");
  EXPECT_EQ(r.to_debug_string(), "[1, [\"a\", nil], [[deep]]]");
}

TEST(ReplyParser, PartialInputByteByByte) {
  const std::string stream = "+OK\r\n*2\r\n$3\r\nfoo\r\n:7\r\n-ERR x\r\n$-1\r\n";
  ReplyParser parser;
  std::vector<Reply> replies;
  for (char c : stream) {
    parser.feed(std::string_view(&c, 1));
    while (auto r = parser.next())
      replies.push_back(std::move(*r));
  }
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_EQ(replies[0], Reply::status("OK"));
  EXPECT_EQ(replies[1], Reply::array({Reply::string("foo"), Reply::integer(7)}));
  EXPECT_EQ(replies[2], Reply::error("ERR x"));
  EXPECT_TRUE(replies[3].is_nil());
}

TEST(ReplyParser, ManyRepliesInOneFeed) {
  std::string stream;
  for (int i = 1; i <= 1000; ++i) {
    // Appended piece by piece: `":" + std::string` trips GCC 12's -Wrestrict false positive.
    stream += ':';
    stream += std::to_string(i);
    stream += "\r\n";
  }
  ReplyParser parser;
  parser.feed(stream);
  for (int i = 1; i <= 1000; ++i)
    EXPECT_EQ(parser.next().value().as_integer(), i);
  EXPECT_FALSE(parser.next().has_value());
}

TEST(ReplyParser, MalformedInputThrowsUntilReset) {
  ReplyParser parser;
  parser.feed("?what\r\n");
  EXPECT_THROW(parser.next(), ProtocolError);
  EXPECT_THROW(parser.feed("+OK\r\n"), ProtocolError);
  parser.reset();
  parser.feed("+OK\r\n");
  EXPECT_EQ(parser.next().value(), Reply::status("OK"));
}

TEST(Reply, AccessorsThrowOnErrorAndWrongType) {
  Reply error = Reply::error("ERR boom");
  EXPECT_TRUE(error.is_error());
  EXPECT_EQ(error.error_message(), "ERR boom");
  EXPECT_THROW(error.as_integer(), ReplyError);
  EXPECT_THROW(error.as_string(), ReplyError);
  EXPECT_THROW(error.elements(), ReplyError);
  EXPECT_THROW(error.value(), ReplyError);
  EXPECT_THROW(Reply::string("1").as_integer(), ProtocolError);
  EXPECT_THROW(Reply::nil().as_string(), ProtocolError);
  EXPECT_THROW(Reply::integer(1).elements(), ProtocolError);
  EXPECT_EQ(Reply::status("PONG").as_string(), "PONG");
  EXPECT_NO_THROW(Reply::integer(1).value());
}

}  // namespace
}  // namespace seckill::redis
