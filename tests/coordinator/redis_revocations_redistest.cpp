// Revocations shared through Redis: two instances (two RedisRevocations on one Redis) converge,
// the writer at once, the other at its next refresh; nothing is reloaded while nothing changed.
#include <chrono>
#include <random>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "coordinator/redis/redis_revocations.hpp"
#include "redis/client.hpp"
#include "redis/redis_url.hpp"
#include "support/test_env.hpp"

namespace asio = boost::asio;
using namespace seckill;
using namespace std::chrono_literals;
using coordinator::redis::RedisRevocations;

namespace {

redis::ClientOptions options() {
  redis::ClientOptions o;
  o.connection.endpoint = redis::parse_redis_url(seckill::testing::redis_url()).value();
  return o;
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Seen {
  bool first_refresh = false;
  bool unchanged_refresh = true;
  bool b_before = true;
  bool a_after_add = false;
  bool b_after_refresh = false;
  bool b_user_old_token = false;
  bool b_user_new_token = true;
  std::size_t listed = 0;
  bool expired_gone = false;
};

asio::awaitable<Seen> scenario(redis::Client& client, std::string prefix) {
  co_await client.connect();
  RedisRevocations a(client, prefix), b(client, prefix);
  Seen seen;
  seen.first_refresh = co_await b.refresh();
  seen.unchanged_refresh = co_await b.refresh();
  const double now = now_s();
  seen.b_before = b.local().revoked("jti-one", 7, now);
  auth::Revocation token{"jti-one", 0, now, now + 3600};
  co_await a.add(token);
  seen.a_after_add = a.local().revoked("jti-one", 7, now);
  auth::Revocation user{{}, 42, now, now + 3600};
  co_await a.add(user);
  // Already expired: kept out of every copy.
  auth::Revocation old{"jti-old", 0, now - 7200, now - 3600};
  co_await a.add(old);
  co_await b.refresh();
  seen.b_after_refresh = b.local().revoked("jti-one", 7, now);
  seen.b_user_old_token = b.local().revoked("other", 42, now - 10);
  seen.b_user_new_token = b.local().revoked("other", 42, now + 10);
  seen.listed = (co_await b.list()).size();
  seen.expired_gone = !b.local().revoked("jti-old", 7, now);
  co_await client.command({"DEL", prefix + ":list", prefix + ":version"});
  co_return seen;
}

}  // namespace

TEST(RedisRevocations, TwoInstancesOnOneRedisConverge) {
  asio::io_context io;
  redis::Client client(io, options());
  const std::string prefix = "{test-revocations-" + std::to_string(std::random_device{}()) + "}";
  auto result = asio::co_spawn(io, scenario(client, prefix), asio::use_future);
  // Bounded, and no longer than it takes (the client keeps the context busy).
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (result.wait_for(0s) != std::future_status::ready &&
         std::chrono::steady_clock::now() < deadline) {
    io.run_for(50ms);
  }
  ASSERT_EQ(result.wait_for(0s), std::future_status::ready);
  const auto seen = result.get();
  EXPECT_TRUE(seen.first_refresh) << "the first refresh loads the list";
  EXPECT_FALSE(seen.unchanged_refresh) << "no write since: nothing reloaded";
  EXPECT_FALSE(seen.b_before);
  EXPECT_TRUE(seen.a_after_add) << "the writer's own copy at once";
  EXPECT_TRUE(seen.b_after_refresh) << "the other instance after its refresh";
  EXPECT_TRUE(seen.b_user_old_token) << "a user's tokens issued before the revocation";
  EXPECT_FALSE(seen.b_user_new_token) << "but not those issued after";
  EXPECT_EQ(seen.listed, 2u) << "the expired one is not listed";
  EXPECT_TRUE(seen.expired_gone);
}
