#include "coordinator/redis/redis_order_queue.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <random>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "coordinator/redis/sale_keys.hpp"
#include "coordinator/redis/stream_reader.hpp"
#include "core/decimal.hpp"
#include "core/infra_error.hpp"

namespace seckill::coordinator::redis {

namespace asio = boost::asio;
using sale::QueuedOrder;
using seckill::redis::Reply;

namespace {

// New voucher streams are picked up this often.
constexpr auto kStreamRefresh = std::chrono::seconds(1);

std::string voucher_of_stream(std::string_view stream) {
  // "{v:ID}:orders"
  auto open = stream.find("{v:");
  auto close = stream.find('}');
  if (open == std::string_view::npos || close == std::string_view::npos) return {};
  return std::string(stream.substr(open + 3, close - open - 3));
}

}  // namespace

std::optional<Order> parse_order_entry(std::span<const Reply> fields) {
  std::optional<std::uint64_t> order, user, voucher;
  std::optional<std::int64_t> at;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    if (!fields[i].is_string() || !fields[i + 1].is_string()) return std::nullopt;
    auto name = fields[i].as_string();
    auto value = fields[i + 1].as_string();
    if (name == "o")
      order = parse_decimal<std::uint64_t>(value);
    else if (name == "u")
      user = parse_decimal<std::uint64_t>(value);
    else if (name == "v")
      voucher = parse_decimal<std::uint64_t>(value);
    else if (name == "t")
      at = parse_decimal<std::int64_t>(value);
  }
  if (!order || !user || !voucher || !at) return std::nullopt;
  return Order{.id = *order,
               .user_id = *user,
               .voucher_id = *voucher,
               .created_at = SysTime(std::chrono::milliseconds(*at)),
               .status = OrderStatus::pending};
}

std::optional<std::string> order_stream_of_member(std::string_view member) {
  // "ID", or "ID:B" for bucket B > 0 of a voucher split over several (--stock-buckets).
  auto colon = member.find(':');
  auto id = parse_decimal<std::uint64_t>(member.substr(0, colon));
  if (!id) return std::nullopt;
  if (colon == std::string_view::npos) return SaleKeys(*id).orders;
  auto bucket = parse_decimal<unsigned>(member.substr(colon + 1));
  if (!bucket) return std::nullopt;
  return SaleKeys(*id, *bucket).orders;
}

std::string unique_consumer_name() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::random_device rd;
  return fmt::format("{}-{}-{:08x}", host, ::getpid(), rd());
}

RedisOrderQueue::RedisOrderQueue(seckill::redis::Client& client, std::string consumer,
                                 seckill::redis::AckReplicas ack)
    : client_(client), consumer_(std::move(consumer)), ack_(ack) {}

asio::awaitable<std::vector<std::string>> RedisOrderQueue::streams() {
  auto now = std::chrono::steady_clock::now();
  if (now - streams_fetched_ >= kStreamRefresh) {
    Reply members = co_await client_.command({"SMEMBERS", kVoucherSetKey});
    std::vector<std::string> fresh;
    for (const auto& m : members.elements()) {
      if (auto stream = order_stream_of_member(m.as_string())) fresh.push_back(std::move(*stream));
    }
    std::sort(fresh.begin(), fresh.end());
    streams_ = std::move(fresh);
    streams_fetched_ = now;
  }
  co_return streams_;
}

asio::awaitable<std::vector<QueuedOrder>> RedisOrderQueue::read(std::size_t max,
                                                                std::chrono::milliseconds block) {
  const auto names = co_await streams();
  std::vector<QueuedOrder> out;
  if (names.empty()) {
    asio::steady_timer idle(co_await asio::this_coro::executor, block);
    co_await idle.async_wait(asio::use_awaitable);
    co_return out;
  }
  // A read whose WAIT fell short left its entries pending here: ask for them again (they may
  // come back with some that in-flight batches hold: those are stored twice, idempotently).
  const bool again = reread_own_pending_;
  Reply reply;
  try {
    reply = co_await read_group(client_, blocking_, kWriterGroup, consumer_, max, block, names,
                                ack_, again ? "0" : ">");
  } catch (const InfraError&) {
    reread_own_pending_ = ack_.replicas > 0;
    throw;
  }
  reread_own_pending_ = false;
  if (reply.is_nil()) co_return out;
  std::vector<std::pair<std::string, std::string>> malformed;
  for (const auto& stream : reply.elements()) {
    auto parts = stream.elements();
    if (parts.size() != 2) continue;
    std::string name(parts[0].as_string());
    for (const auto& entry : parts[1].elements()) {
      auto e = entry.elements();
      if (e.size() != 2) continue;
      std::string id(e[0].as_string());
      if (e[1].is_nil()) continue;  // a pending entry deleted meanwhile (read again with `0`)
      auto order = e[1].is_array() ? parse_order_entry(e[1].elements()) : std::nullopt;
      if (!order) {
        malformed.emplace_back(name, id);
        continue;
      }
      out.push_back(QueuedOrder{name, std::move(id), *order, 1});
    }
  }
  for (auto& [stream, id] : malformed) {
    co_await dead_letter_malformed(stream, id, "malformed entry");
  }
  co_return out;
}

asio::awaitable<std::vector<QueuedOrder>> RedisOrderQueue::claim_stale(
    std::chrono::milliseconds min_idle, std::size_t max) {
  std::vector<QueuedOrder> out;
  auto idle = std::to_string(min_idle.count());
  auto count = std::to_string(max);
  const auto names = co_await streams();
  for (const auto& stream : names) {
    // XPENDING gives the delivery counts (XAUTOCLAIM does not); XCLAIM then takes the entries.
    Reply pending =
        co_await client_.command({"XPENDING", stream, kWriterGroup, "IDLE", idle, "-", "+", count});
    std::map<std::string, std::uint64_t> deliveries;
    std::vector<std::string> ids;
    for (const auto& p : pending.elements()) {
      auto f = p.elements();
      if (f.size() < 4) continue;
      ids.emplace_back(f[0].as_string());
      deliveries[ids.back()] = static_cast<std::uint64_t>(f[3].as_integer()) + 1;
    }
    if (ids.empty()) continue;
    std::vector<std::string_view> args{"XCLAIM", stream, kWriterGroup, consumer_, idle};
    for (const auto& id : ids)
      args.push_back(id);
    Reply claimed = co_await client_.command(args, ack_);
    for (const auto& entry : claimed.elements()) {
      if (!entry.is_array()) continue;  // deleted meanwhile
      auto e = entry.elements();
      if (e.size() != 2 || e[1].is_nil()) continue;
      std::string id(e[0].as_string());
      auto order = parse_order_entry(e[1].elements());
      if (!order) {
        co_await dead_letter_malformed(stream, id, "malformed entry");
        continue;
      }
      out.push_back(QueuedOrder{stream, id, *order, deliveries[id]});
    }
    if (out.size() >= max) break;
  }
  co_return out;
}

asio::awaitable<void> RedisOrderQueue::ack(std::vector<QueuedOrder> done) {
  std::map<std::string, std::vector<std::string_view>> by_stream;
  for (const auto& q : done)
    by_stream[q.stream].push_back(q.entry_id);
  for (auto& [stream, ids] : by_stream) {
    // Stored entries leave the stream: it holds only what is not yet in the store.
    co_await ack_and_delete(client_, stream, kWriterGroup, ids);
  }
}

asio::awaitable<void> RedisOrderQueue::dead_letter(QueuedOrder entry, std::string reason) {
  auto voucher = voucher_of_stream(entry.stream);
  auto dead = voucher.empty() ? std::string("seckill:orders:dead") : entry.stream + ":dead";
  auto order = std::to_string(entry.item.id);
  auto user = std::to_string(entry.item.user_id);
  auto vid = std::to_string(entry.item.voucher_id);
  auto at = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                               entry.item.created_at.time_since_epoch())
                               .count());
  (co_await client_.command({"XADD", dead, "*", "o", order, "u", user, "v", vid, "t", at, "reason",
                             reason, "source", entry.entry_id}))
      .value();
  std::vector<QueuedOrder> one{std::move(entry)};
  co_await ack(std::move(one));
}

asio::awaitable<void> RedisOrderQueue::dead_letter_malformed(std::string stream,
                                                             std::string entry_id,
                                                             std::string reason) {
  spdlog::error("order queue: entry {} of {} is malformed; dead-lettered", entry_id, stream);
  auto dead = stream + ":dead";
  (co_await client_.command({"XADD", dead, "*", "reason", reason, "source", entry_id})).value();
  const std::array<std::string_view, 1> ids{entry_id};
  co_await ack_and_delete(client_, stream, kWriterGroup, ids);
}

asio::awaitable<std::uint64_t> RedisOrderQueue::backlog() {
  std::uint64_t total = 0;
  const auto names = co_await streams();
  for (const auto& stream : names) {
    total += static_cast<std::uint64_t>((co_await client_.command({"XLEN", stream})).as_integer());
  }
  co_return total;
}

}  // namespace seckill::coordinator::redis
