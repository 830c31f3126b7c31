#pragma once
// A consumer group's side of the streams: one XREADGROUP over several streams, on one Redis or
// on a Redis Cluster, and the acknowledgement of what was stored.

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "redis/client.hpp"

namespace seckill::coordinator::redis {

/// Reads new entries (`>`) of `streams` for `consumer` of `group`, at most `count` per stream,
/// waiting up to `block` when there are none. Returns XREADGROUP's reply: nil when nothing came,
/// else an array of [stream, entries] pairs; or the first error reply (e.g. NOGROUP).
///
/// One Redis: one blocking XREADGROUP over every stream, on `blocking` (a dedicated connection
/// opened when empty or down, reset when it fails, so blocking never stalls the shared
/// pipelines). Redis Cluster: one command may not read streams of several slots, and a blocking
/// read per slot would take a connection each, so each stream is read without blocking over the
/// shared pipelines and, when none had anything, the call sleeps min(`block`, 50 ms) — a poll
/// costing one round trip per stream and per 50 ms when idle.
///
/// With `ack` asking for replicas, entries are returned only once that many replicas hold them
/// (WAIT after the read, on the connection that read): a writer that stored an entry the
/// replicas never received would store an order a failover then forgets and sells again.
/// Fewer replicas in time: IoError, and the entries stay pending for this consumer (claimed
/// later, or lost with the master, as their takes were never acknowledged either).
///
/// `from` is XREADGROUP's id: `>` for new entries, `0` for the consumer's own pending ones (read
/// again, e.g. once the replicas may have caught up; history reads do not block).
///
/// Throws InfraError. `client`, `blocking` and what the spans reference must outlive the call.
boost::asio::awaitable<seckill::redis::Reply> read_group(
    seckill::redis::Client& client, std::optional<seckill::redis::Connection>& blocking,
    std::string_view group, std::string_view consumer, std::size_t count,
    std::chrono::milliseconds block, std::span<const std::string> streams,
    seckill::redis::AckReplicas ack = {}, std::string_view from = ">");

/// Acknowledges `ids` of `stream` for `group` and deletes them from the stream, atomically
/// (ack_entries.lua): what a writer does once their batch is stored. Throws InfraError.
boost::asio::awaitable<void> ack_and_delete(seckill::redis::Client& client, std::string_view stream,
                                            std::string_view group,
                                            std::span<const std::string_view> ids);

}  // namespace seckill::coordinator::redis
