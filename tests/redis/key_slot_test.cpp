#include "redis/key_slot.hpp"

#include <array>
#include <string_view>

#include <gtest/gtest.h>

#include "redis/command_key.hpp"
#include "redis/slot_map.hpp"

namespace seckill::redis {
namespace {

// The Redis Cluster specification's reference: CRC16/XModem of "123456789" is 0x31C3.
TEST(KeySlot, Crc16OfTheSpecificationVector) {
  EXPECT_EQ(crc16("123456789"), 0x31C3);
  EXPECT_EQ(crc16(""), 0);
}

// Slots as `CLUSTER KEYSLOT` of Redis 7 answers them.
TEST(KeySlot, SlotsAsRedisComputesThem) {
  EXPECT_EQ(key_slot("foo"), 12182);
  EXPECT_EQ(key_slot("bar"), 5061);
  EXPECT_EQ(key_slot("hello"), 866);
  EXPECT_EQ(key_slot("123456789"), 12739);
  EXPECT_EQ(key_slot(""), 0);
  EXPECT_EQ(key_slot("{v:1}:stock"), 9860);
}

// The hash tag rules of the specification.
TEST(KeySlot, HashTags) {
  EXPECT_EQ(key_slot("{user1000}.following"), 3443);
  EXPECT_EQ(key_slot("{user1000}.following"), key_slot("{user1000}.followers"));
  EXPECT_EQ(key_slot("{user1000}.following"), key_slot("user1000"));
  EXPECT_EQ(key_slot("foo{}{bar}"), 8363);  // empty first tag: the whole key
  EXPECT_EQ(key_slot("foo{}{bar}"), key_slot(std::string_view("foo{}{bar}")));
  EXPECT_EQ(key_slot("foo{{bar}}zap"), 4015);  // hashes "{bar"
  EXPECT_EQ(key_slot("foo{{bar}}zap"), key_slot("{bar"));
  EXPECT_EQ(key_slot("foo{bar}{zap}"), key_slot("bar"));             // the first tag only
  EXPECT_EQ(key_slot("foo{bar"), crc16("foo{bar") % kClusterSlots);  // unclosed: whole key
  EXPECT_EQ(key_slot("{v:7}:stock"), key_slot("{v:7}:buyers"));
  EXPECT_EQ(key_slot("{v:7}:stock"), key_slot("{v:7}:orders"));
}

std::optional<std::string_view> key_of(std::initializer_list<std::string_view> argv) {
  return command_key(std::span<const std::string_view>(argv.begin(), argv.size()));
}

TEST(CommandKey, TheKeyOfEveryCommandSeckillSends) {
  EXPECT_EQ(key_of({"GET", "k"}), "k");
  EXPECT_EQ(key_of({"incrby", "id:global:20261122", "100"}), "id:global:20261122");
  EXPECT_EQ(key_of({"EVALSHA", "abc", "3", "{v:1}:stock", "{v:1}:buyers", "x"}), "{v:1}:stock");
  EXPECT_EQ(key_of({"EVALSHA", "abc", "0", "x"}), std::nullopt);
  EXPECT_EQ(key_of({"XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "BLOCK", "5", "STREAMS",
                    "{v:1}:orders", ">"}),
            "{v:1}:orders");
  EXPECT_EQ(key_of({"XGROUP", "CREATE", "{r:3}:events", "g", "0", "MKSTREAM"}), "{r:3}:events");
  EXPECT_EQ(key_of({"XPENDING", "{r:3}:events", "g"}), "{r:3}:events");
  EXPECT_EQ(key_of({"PUBLISH", "seckill:sold-out", "1"}), std::nullopt);
  EXPECT_EQ(key_of({"PING"}), std::nullopt);
  EXPECT_EQ(key_of({"SCRIPT", "LOAD", "return 1"}), std::nullopt);
  EXPECT_EQ(key_of({"WAIT", "1", "100"}), std::nullopt);
  EXPECT_EQ(key_of({"SADD", "seckill:vouchers", "1"}), "seckill:vouchers");
}

TEST(SlotMap, Redirections) {
  auto moved = parse_redirection("MOVED 3999 127.0.0.1:6381");
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->kind, Redirection::Kind::moved);
  EXPECT_EQ(moved->slot, 3999);
  EXPECT_EQ(moved->to, (RedisUrl{"127.0.0.1", 6381, 0}));
  auto ask = parse_redirection("ASK 1 ::1:7000");
  ASSERT_TRUE(ask);
  EXPECT_EQ(ask->kind, Redirection::Kind::ask);
  EXPECT_EQ(ask->to, (RedisUrl{"::1", 7000, 0}));
  auto no_host = parse_redirection("MOVED 5 :7001");
  ASSERT_TRUE(no_host);
  EXPECT_EQ(no_host->to.host, "");
  EXPECT_FALSE(parse_redirection("ERR wrong"));
  EXPECT_FALSE(parse_redirection("MOVED x 127.0.0.1:1"));
  EXPECT_FALSE(parse_redirection("MOVED 16384 127.0.0.1:1"));
  EXPECT_FALSE(parse_redirection("MOVED 1 127.0.0.1"));
}

Reply node(std::string host, std::int64_t port) {
  return Reply::array({Reply::string(std::move(host)), Reply::integer(port), Reply::string("id")});
}

TEST(SlotMap, ParsesClusterSlots) {
  Reply reply = Reply::array({
      Reply::array({Reply::integer(0), Reply::integer(8191), node("10.0.0.1", 7000),
                    node("10.0.0.2", 7001)}),
      Reply::array({Reply::integer(8192), Reply::integer(16383), node("", 7002)}),
  });
  SlotMap map = parse_cluster_slots(reply, RedisUrl{"10.0.0.9", 7002, 0});
  ASSERT_EQ(map.masters.size(), 2u);
  EXPECT_EQ(map.masters[0], (RedisUrl{"10.0.0.1", 7000, 0}));
  EXPECT_EQ(map.masters[1], (RedisUrl{"10.0.0.9", 7002, 0}));  // empty host: the node asked
  ASSERT_EQ(map.replicas.size(), 1u);
  EXPECT_EQ(map.owner_of(0), 0);
  EXPECT_EQ(map.owner_of(8191), 0);
  EXPECT_EQ(map.owner_of(8192), 1);
  EXPECT_TRUE(map.complete());
  Reply holes =
      Reply::array({Reply::array({Reply::integer(0), Reply::integer(10), node("10.0.0.1", 7000)})});
  EXPECT_FALSE(parse_cluster_slots(holes, RedisUrl{"h", 1, 0}).complete());
}

}  // namespace
}  // namespace seckill::redis
