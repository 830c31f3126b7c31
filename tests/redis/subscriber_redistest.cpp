#include <string>
#include <vector>

#include <boost/asio/this_coro.hpp>
#include <gtest/gtest.h>

#include "redis/connection.hpp"
#include "redis/redis_test_support.hpp"
#include "redis/subscriber.hpp"

namespace seckill::redis {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;

struct Received {
  std::vector<std::pair<std::string, std::string>> messages;
};

awaitable<void> delivers(std::string prefix) {
  auto executor = co_await asio::this_coro::executor;
  Received received;
  Subscriber subscriber(executor, testing::test_options(),
                        [&received](std::string_view channel, std::string_view payload) {
                          received.messages.emplace_back(channel, payload);
                        });
  const std::string sold_out = prefix + "sold-out";
  const std::string released = prefix + "released";
  subscriber.subscribe(sold_out);
  co_await subscriber.connect();

  Connection publisher(executor, testing::test_options());
  co_await publisher.connect();
  EXPECT_EQ((co_await publisher.command({"PUBLISH", sold_out, "voucher 1"})).as_integer(), 1);

  // A channel added while connected is subscribed at once; connect() waits for it.
  subscriber.subscribe(released);
  co_await subscriber.connect();
  const std::string binary("lock\0id", 7);
  EXPECT_EQ((co_await publisher.command({"PUBLISH", released, binary})).as_integer(), 1);

  subscriber.unsubscribe(sold_out);
  co_await testing::sleep_for(50ms);
  EXPECT_EQ((co_await publisher.command({"PUBLISH", sold_out, "ignored"})).as_integer(), 0);

  for (int i = 0; i < 100 && received.messages.size() < 2; ++i)
    co_await testing::sleep_for(10ms);
  using Message = std::pair<std::string, std::string>;
  const std::vector<Message> expected{{sold_out, "voucher 1"}, {released, binary}};
  EXPECT_EQ(received.messages, expected);
  subscriber.close();
  publisher.close();
}

TEST(Subscriber, DeliversPublishedMessages) {
  asio::io_context io;
  testing::run(io, delivers(testing::unique_prefix("pubsub")));
}

}  // namespace
}  // namespace seckill::redis
