#include "coordinator/redis/stream_reader.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/infra_error.hpp"
#include "redis/detail/eval.hpp"
#include "redis/script.hpp"
#include "seckill_coordinator_redis_embedded.hpp"

namespace seckill::coordinator::redis {

namespace asio = boost::asio;
using seckill::redis::Reply;

namespace {

constexpr auto kClusterPoll = std::chrono::milliseconds(50);

asio::awaitable<Reply> read_blocking(seckill::redis::Client& client,
                                     std::optional<seckill::redis::Connection>& blocking,
                                     std::string_view group, std::string_view consumer,
                                     std::size_t count, std::chrono::milliseconds block,
                                     std::span<const std::string> streams,
                                     seckill::redis::AckReplicas ack, std::string_view from) {
  if (!blocking || !blocking->connected()) {
    blocking.emplace(co_await client.dedicated());
  }
  auto count_text = std::to_string(count);
  auto block_ms = std::to_string(block.count());
  std::vector<std::string_view> args{"XREADGROUP", "GROUP", group,    consumer, "COUNT",
                                     count_text,   "BLOCK", block_ms, "STREAMS"};
  for (const auto& s : streams)
    args.push_back(s);
  for (std::size_t i = 0; i < streams.size(); ++i)
    args.push_back(from);
  Reply reply;
  try {
    reply = co_await blocking->command(args, block + std::chrono::seconds(2));
    if (!reply.is_nil() && !reply.is_error()) {
      co_await seckill::redis::detail::wait_for_replicas(*blocking, ack, "XREADGROUP");
    }
  } catch (const InfraError&) {
    blocking.reset();
    throw;
  }
  co_return reply;
}

asio::awaitable<Reply> read_polling(seckill::redis::Client& client, std::string_view group,
                                    std::string_view consumer, std::size_t count,
                                    std::chrono::milliseconds block,
                                    std::span<const std::string> streams,
                                    seckill::redis::AckReplicas ack, std::string_view from) {
  auto count_text = std::to_string(count);
  std::vector<Reply> found;
  for (const auto& stream : streams) {
    Reply reply = co_await client.command(
        {"XREADGROUP", "GROUP", group, consumer, "COUNT", count_text, "STREAMS", stream, from},
        ack);
    if (reply.is_error()) co_return reply;
    if (reply.is_nil()) continue;
    for (const auto& entry : reply.elements())
      found.push_back(entry);
  }
  if (!found.empty()) co_return Reply::array(std::move(found));
  asio::steady_timer pause(co_await asio::this_coro::executor, std::min(block, kClusterPoll));
  co_await pause.async_wait(asio::use_awaitable);
  co_return Reply::nil();
}

}  // namespace

asio::awaitable<Reply> read_group(seckill::redis::Client& client,
                                  std::optional<seckill::redis::Connection>& blocking,
                                  std::string_view group, std::string_view consumer,
                                  std::size_t count, std::chrono::milliseconds block,
                                  std::span<const std::string> streams,
                                  seckill::redis::AckReplicas ack, std::string_view from) {
  if (client.cluster()) {
    return read_polling(client, group, consumer, count, block, streams, ack, from);
  }
  return read_blocking(client, blocking, group, consumer, count, block, streams, ack, from);
}

asio::awaitable<void> ack_and_delete(seckill::redis::Client& client, std::string_view stream,
                                     std::string_view group,
                                     std::span<const std::string_view> ids) {
  static const seckill::redis::Script script("ack_entries", std::string(scripts::ack_entries));
  if (ids.empty()) co_return;
  std::vector<std::string_view> args;
  args.reserve(ids.size() + 1);
  args.push_back(group);
  args.insert(args.end(), ids.begin(), ids.end());
  const std::array<std::string_view, 1> keys{stream};
  const std::span<const std::string_view> key_span(keys);
  const std::span<const std::string_view> arg_span(args);
  (co_await client.eval(script, key_span, arg_span)).value();
}

}  // namespace seckill::coordinator::redis
