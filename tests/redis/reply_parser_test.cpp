#include "redis/reply_parser.hpp"

#include <string>

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

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

TEST(ReplyParser, MalformedInputOfEveryKind) {
  for (std::string_view bad : {"+OK\rX", ":12a\r\n", ":\r\n", "$-2\r\n", "$3\r\nfooXY", "*-5\r\n",
                               "*x\r\n", "*1\r\n!\r\n", "_\r\n"}) {
    ReplyParser parser;
    parser.feed(bad);
    EXPECT_THROW(parser.next(), ProtocolError) << bad;
  }
}

// A large nested reply (an XREADGROUP's shape) cut at every size of piece: the same value, and
// the replies before and after it intact.
TEST(ReplyParser, LargeNestedReplyInPiecesOfEverySize) {
  std::string entry_list;
  const int entries = 300;
  entry_list += "*" + std::to_string(entries) + "\r\n";
  std::vector<Reply> expected_entries;
  for (int i = 0; i < entries; ++i) {
    const std::string id = std::to_string(1700000000000 + i) + "-0";
    const std::string order = std::to_string(391972025536610306LL + i);
    entry_list += "*2\r\n$" + std::to_string(id.size()) + "\r\n" + id + "\r\n*4\r\n$1\r\no\r\n$" +
                  std::to_string(order.size()) + "\r\n" + order +
                  "\r\n$1\r\nt\r\n:" + std::to_string(i) + "\r\n";
    expected_entries.push_back(
        Reply::array({Reply::string(id), Reply::array({Reply::string("o"), Reply::string(order),
                                                       Reply::string("t"), Reply::integer(i)})}));
  }
  const std::string stream =
      "+before\r\n*1\r\n*2\r\n$10\r\n{v:1}:ords\r\n" + entry_list + "$-1\r\n:5\r\n";
  const Reply expected =
      Reply::array({Reply::array({Reply::string("{v:1}:ords"), Reply::array(expected_entries)})});
  for (std::size_t piece : {1u, 2u, 3u, 7u, 64u, 1000u, 100000u}) {
    ReplyParser parser;
    std::vector<Reply> replies;
    for (std::size_t at = 0; at < stream.size(); at += piece) {
      parser.feed(std::string_view(stream).substr(at, piece));
      while (auto r = parser.next())
        replies.push_back(std::move(*r));
    }
    ASSERT_EQ(replies.size(), 4u) << piece;
    EXPECT_EQ(replies[0], Reply::status("before"));
    EXPECT_EQ(replies[1], expected) << piece;
    EXPECT_TRUE(replies[2].is_nil());
    EXPECT_EQ(replies[3], Reply::integer(5));
  }
}

TEST(ReplyParser, ResetForgetsAHalfReadReply) {
  ReplyParser parser;
  parser.feed("*3\r\n:1\r\n:2");
  EXPECT_FALSE(parser.next().has_value());
  parser.reset();
  parser.feed(":3\r\n");
  EXPECT_EQ(parser.next().value(), Reply::integer(3));
  EXPECT_FALSE(parser.next().has_value());
}

// hiredis's reader (which this parser replaced) as the reference: the same replies from the same
// bytes, fed in the same pieces.
Reply from_hiredis(const redisReply& r) {
  switch (r.type) {
    case REDIS_REPLY_STATUS:
      return Reply::status(std::string(r.str, r.len));
    case REDIS_REPLY_ERROR:
      return Reply::error(std::string(r.str, r.len));
    case REDIS_REPLY_INTEGER:
      return Reply::integer(r.integer);
    case REDIS_REPLY_STRING:
      return Reply::string(std::string(r.str, r.len));
    case REDIS_REPLY_ARRAY: {
      std::vector<Reply> elements;
      for (std::size_t i = 0; i < r.elements; ++i)
        elements.push_back(from_hiredis(*r.element[i]));
      return Reply::array(std::move(elements));
    }
    default:
      return Reply::nil();
  }
}

std::vector<Reply> hiredis_replies(std::string_view stream, std::size_t piece) {
  redisReader* reader = redisReaderCreate();
  std::vector<Reply> out;
  for (std::size_t at = 0; at < stream.size(); at += piece) {
    auto part = stream.substr(at, piece);
    EXPECT_EQ(redisReaderFeed(reader, part.data(), part.size()), REDIS_OK);
    void* raw = nullptr;
    while (redisReaderGetReply(reader, &raw) == REDIS_OK && raw != nullptr) {
      out.push_back(from_hiredis(*static_cast<redisReply*>(raw)));
      freeReplyObject(raw);
    }
  }
  redisReaderFree(reader);
  return out;
}

TEST(ReplyParser, SameRepliesAsHiredis) {
  const std::string stream =
      "+OK\r\n-NOSCRIPT No matching script\r\n:0\r\n:-42\r\n$0\r\n\r\n$-1\r\n*-1\r\n*0\r\n"
      "*2\r\n:1\r\n:391972025536610306\r\n*4\r\n:1\r\n$18\r\n391972025536610306\r\n:0\r\n"
      ":1795330301715\r\n*1\r\n*2\r\n$12\r\n{v:7}:orders\r\n*1\r\n*2\r\n$15\r\n1-0123456789012"
      "\r\n*2\r\n$1\r\no\r\n$4\r\na\r\nb\r\n";
  for (std::size_t piece : {1u, 2u, 5u, 13u, 4096u}) {
    ReplyParser parser;
    std::vector<Reply> ours;
    for (std::size_t at = 0; at < stream.size(); at += piece) {
      parser.feed(std::string_view(stream).substr(at, piece));
      while (auto r = parser.next())
        ours.push_back(std::move(*r));
    }
    auto reference = hiredis_replies(stream, piece);
    ASSERT_EQ(ours.size(), reference.size()) << piece;
    for (std::size_t i = 0; i < ours.size(); ++i)
      EXPECT_EQ(ours[i], reference[i]) << "reply " << i << " in pieces of " << piece;
  }
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
