#pragma once
// A durable queue (delivery/durable_queue.hpp) on Redis streams: a set of streams read by one
// consumer group in which every writer instance is one consumer. Acknowledged entries are
// deleted, so a stream holds only what is not yet stored; entries the store refuses for good,
// and entries that do not parse, go to a dead-letter stream with the reason and the entry's id.
//
// What differs between the queues is the codec:
//
//   struct Codec {
//     using Item = ...;                                  // what an entry holds
//     static constexpr std::string_view kName;           // for the logs ("order queue")
//     static constexpr const char* kGroup;               // the consumer group
//     // The streams to read now (asked again every second: new ones appear).
//     static boost::asio::awaitable<std::vector<std::string>> streams(seckill::redis::Client&);
//     static std::optional<Item> parse(std::span<const seckill::redis::Reply> fields);
//     // The fields a dead letter records of an item, as name, value, name, value...
//     static std::vector<std::string> dead_letter_fields(const Item&);
//     static std::string dead_stream(std::string_view stream);
//   };
//
// A stream or group Redis lost (NOGROUP: it lost its data, or came back from an older snapshot)
// is created again, from `0`, by the next read or claim: the writers go on without a restart.

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "coordinator/redis/stream_reader.hpp"
#include "core/infra_error.hpp"
#include "delivery/durable_queue.hpp"
#include "redis/client.hpp"

namespace seckill::coordinator::redis {

/// One per writer; used from one coroutine at a time, on one single-threaded io_context (its
/// blocking reads go over a dedicated connection on that io_context).
template <class Codec>
class RedisStreamQueue final : public delivery::DurableQueue<typename Codec::Item> {
 public:
  using Item = typename Codec::Item;
  using Entry = delivery::Queued<Item>;

  /// `consumer` must be unique to the process (see unique_consumer_name()). With `ack` asking
  /// for replicas (--redis-ack-replicas), read() and claim_stale() hand out only entries that
  /// many replicas hold (see read_group): the store never takes an entry a failover of Redis
  /// would forget (and, for orders, sell again).
  RedisStreamQueue(seckill::redis::Client& client, std::string consumer,
                   seckill::redis::AckReplicas ack = {})
      : client_(client), consumer_(std::move(consumer)), ack_(ack) {}

  boost::asio::awaitable<std::vector<Entry>> read(std::size_t max,
                                                  std::chrono::milliseconds block) override;
  boost::asio::awaitable<std::vector<Entry>> claim_stale(std::chrono::milliseconds min_idle,
                                                         std::size_t max) override;
  boost::asio::awaitable<void> ack(std::vector<Entry> done) override;
  boost::asio::awaitable<void> dead_letter(Entry entry, std::string reason) override;
  /// Entries not yet stored, over every stream.
  boost::asio::awaitable<std::uint64_t> backlog();

  const std::string& consumer() const { return consumer_; }

 private:
  boost::asio::awaitable<std::vector<std::string>> streams();
  /// Creates the group (and the stream) on every stream not known to have it (idempotent).
  boost::asio::awaitable<void> ensure_groups(std::vector<std::string> names);
  boost::asio::awaitable<void> dead_letter_malformed(std::string stream, std::string entry_id);

  seckill::redis::Client& client_;
  std::string consumer_;
  seckill::redis::AckReplicas ack_;
  // Entries read but not confirmed on the replicas (WAIT fell short) are this consumer's pending
  // ones: the next read takes them again (`0`) instead of waiting to claim them when idle.
  bool reread_own_pending_ = false;
  std::optional<seckill::redis::Connection> blocking_;
  std::vector<std::string> streams_;
  std::chrono::steady_clock::time_point streams_fetched_{};
  std::set<std::string, std::less<>> grouped_;  // streams known to have the group
};

namespace stream_queue_detail {

// New streams are picked up this often.
inline constexpr auto kStreamRefresh = std::chrono::seconds(1);

inline bool is_nogroup(const seckill::redis::Reply& reply) {
  return reply.is_error() && reply.error_message().find("NOGROUP") != std::string_view::npos;
}

}  // namespace stream_queue_detail

template <class Codec>
boost::asio::awaitable<std::vector<std::string>> RedisStreamQueue<Codec>::streams() {
  auto now = std::chrono::steady_clock::now();
  if (now - streams_fetched_ >= stream_queue_detail::kStreamRefresh) {
    auto fresh = co_await Codec::streams(client_);
    std::sort(fresh.begin(), fresh.end());
    streams_ = std::move(fresh);
    streams_fetched_ = now;
  }
  co_return streams_;
}

template <class Codec>
boost::asio::awaitable<void> RedisStreamQueue<Codec>::ensure_groups(
    std::vector<std::string> names) {
  for (const auto& stream : names) {
    if (grouped_.contains(stream)) continue;
    // "$" would skip what was appended before the group existed; "0" reads it all (acked
    // entries are deleted, so nothing is read twice because of this).
    seckill::redis::Reply r =
        co_await client_.command({"XGROUP", "CREATE", stream, Codec::kGroup, "0", "MKSTREAM"});
    if (r.is_error() && r.error_message().find("BUSYGROUP") == std::string_view::npos) r.value();
    grouped_.insert(stream);
  }
}

template <class Codec>
boost::asio::awaitable<std::vector<delivery::Queued<typename Codec::Item>>>
RedisStreamQueue<Codec>::read(std::size_t max, std::chrono::milliseconds block) {
  namespace asio = boost::asio;
  const auto names = co_await streams();
  std::vector<Entry> out;
  if (names.empty()) {
    asio::steady_timer idle(co_await asio::this_coro::executor, block);
    co_await idle.async_wait(asio::use_awaitable);
    co_return out;
  }
  co_await ensure_groups(names);
  // A read whose WAIT fell short left its entries pending here: ask for them again (they may
  // come back with some that in-flight batches hold: those are stored twice, idempotently).
  const bool again = reread_own_pending_;
  seckill::redis::Reply reply;
  try {
    reply = co_await read_group(client_, blocking_, Codec::kGroup, consumer_, max, block, names,
                                ack_, again ? "0" : ">");
    if (stream_queue_detail::is_nogroup(reply)) {
      spdlog::warn("{}: a stream or its group is gone (Redis lost data?); creating it again",
                   Codec::kName);
      grouped_.clear();
      co_await ensure_groups(names);
      reply = co_await read_group(client_, blocking_, Codec::kGroup, consumer_, max, block, names,
                                  ack_, again ? "0" : ">");
    }
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
      auto item = e[1].is_array() ? Codec::parse(e[1].elements()) : std::nullopt;
      if (!item) {
        malformed.emplace_back(name, id);
        continue;
      }
      out.push_back(Entry{name, std::move(id), std::move(*item), 1});
    }
  }
  for (auto& [stream, id] : malformed) {
    co_await dead_letter_malformed(stream, id);
  }
  co_return out;
}

template <class Codec>
boost::asio::awaitable<std::vector<delivery::Queued<typename Codec::Item>>>
RedisStreamQueue<Codec>::claim_stale(std::chrono::milliseconds min_idle, std::size_t max) {
  std::vector<Entry> out;
  auto idle = std::to_string(min_idle.count());
  auto count = std::to_string(max);
  const auto names = co_await streams();
  for (const auto& stream : names) {
    // XPENDING gives the delivery counts (XAUTOCLAIM does not); XCLAIM then takes the entries.
    seckill::redis::Reply pending = co_await client_.command(
        {"XPENDING", stream, Codec::kGroup, "IDLE", idle, "-", "+", count});
    if (stream_queue_detail::is_nogroup(pending)) {
      // Lost with its group: nothing is pending there; the group is back for the next read.
      grouped_.erase(stream);
      std::vector<std::string> one{stream};
      co_await ensure_groups(std::move(one));
      continue;
    }
    std::map<std::string, std::uint64_t> deliveries;
    std::vector<std::string> ids;
    for (const auto& p : pending.elements()) {
      auto f = p.elements();
      if (f.size() < 4) continue;
      ids.emplace_back(f[0].as_string());
      deliveries[ids.back()] = static_cast<std::uint64_t>(f[3].as_integer()) + 1;
    }
    if (ids.empty()) continue;
    std::vector<std::string_view> args{"XCLAIM", stream, Codec::kGroup, consumer_, idle};
    for (const auto& id : ids)
      args.push_back(id);
    seckill::redis::Reply claimed = co_await client_.command(args, ack_);
    for (const auto& entry : claimed.elements()) {
      if (!entry.is_array()) continue;  // deleted meanwhile
      auto e = entry.elements();
      if (e.size() != 2 || e[1].is_nil()) continue;
      std::string id(e[0].as_string());
      auto item = Codec::parse(e[1].elements());
      if (!item) {
        co_await dead_letter_malformed(stream, id);
        continue;
      }
      out.push_back(Entry{stream, id, std::move(*item), deliveries[id]});
    }
    if (out.size() >= max) break;
  }
  co_return out;
}

template <class Codec>
boost::asio::awaitable<void> RedisStreamQueue<Codec>::ack(std::vector<Entry> done) {
  std::map<std::string, std::vector<std::string_view>> by_stream;
  for (const auto& q : done)
    by_stream[q.stream].push_back(q.entry_id);
  for (auto& [stream, ids] : by_stream) {
    // Stored entries leave the stream: it holds only what is not yet in the store.
    co_await ack_and_delete(client_, stream, Codec::kGroup, ids);
  }
}

template <class Codec>
boost::asio::awaitable<void> RedisStreamQueue<Codec>::dead_letter(Entry entry, std::string reason) {
  auto dead = Codec::dead_stream(entry.stream);
  auto fields = Codec::dead_letter_fields(entry.item);
  std::vector<std::string_view> args{"XADD", dead, "*"};
  for (const auto& f : fields)
    args.push_back(f);
  args.push_back("reason");
  args.push_back(reason);
  args.push_back("source");
  args.push_back(entry.entry_id);
  seckill::redis::Reply added = co_await client_.command(args);
  added.value();
  std::vector<Entry> one{std::move(entry)};
  co_await ack(std::move(one));
}

template <class Codec>
boost::asio::awaitable<void> RedisStreamQueue<Codec>::dead_letter_malformed(std::string stream,
                                                                            std::string entry_id) {
  spdlog::error("{}: entry {} of {} is malformed; dead-lettered", Codec::kName, entry_id, stream);
  auto dead = Codec::dead_stream(stream);
  seckill::redis::Reply added = co_await client_.command(
      {"XADD", dead, "*", "reason", "malformed entry", "source", entry_id});
  added.value();
  const std::array<std::string_view, 1> ids{entry_id};
  co_await ack_and_delete(client_, stream, Codec::kGroup, ids);
}

template <class Codec>
boost::asio::awaitable<std::uint64_t> RedisStreamQueue<Codec>::backlog() {
  std::uint64_t total = 0;
  const auto names = co_await streams();
  for (const auto& stream : names) {
    seckill::redis::Reply length = co_await client_.command({"XLEN", stream});
    total += static_cast<std::uint64_t>(length.as_integer());
  }
  co_return total;
}

}  // namespace seckill::coordinator::redis
