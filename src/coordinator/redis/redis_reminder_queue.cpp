#include "coordinator/redis/redis_reminder_queue.hpp"

#include <array>
#include <map>

#include <spdlog/spdlog.h>

#include "coordinator/redis/remind_keys.hpp"
#include "coordinator/redis/stream_reader.hpp"
#include "core/decimal.hpp"
#include "core/infra_error.hpp"
#include "core/ticket.hpp"

namespace seckill::coordinator::redis {

namespace asio = boost::asio;
using remind::QueuedReminder;
using seckill::redis::Reply;

namespace {

// An entry as remind.lua writes it: r (record id), k (ticket), u (user), t (ms), n (new 1/0).
std::optional<ReminderEvent> parse_entry(std::span<const Reply> fields) {
  std::optional<std::uint64_t> record, user;
  std::optional<std::int64_t> at;
  std::optional<std::string> ticket;
  bool new_record = false;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    if (!fields[i].is_string() || !fields[i + 1].is_string()) return std::nullopt;
    auto name = fields[i].as_string();
    auto value = fields[i + 1].as_string();
    if (name == "r")
      record = parse_decimal<std::uint64_t>(value);
    else if (name == "k")
      ticket = std::string(value);
    else if (name == "u")
      user = parse_decimal<std::uint64_t>(value);
    else if (name == "t")
      at = parse_decimal<std::int64_t>(value);
    else if (name == "n")
      new_record = value == "1";
  }
  if (!record || !user || !at || !ticket || !is_valid_ticket(*ticket)) return std::nullopt;
  return ReminderEvent{.reminder_id = *record,
                       .ticket = std::move(*ticket),
                       .user_id = *user,
                       .at = SysTime(std::chrono::milliseconds(*at)),
                       .new_record = new_record};
}

bool is_nogroup(const Reply& reply) {
  return reply.is_error() && reply.error_message().find("NOGROUP") != std::string_view::npos;
}

}  // namespace

RedisReminderQueue::RedisReminderQueue(seckill::redis::Client& client, std::string consumer)
    : client_(client), consumer_(std::move(consumer)) {}

asio::awaitable<void> RedisReminderQueue::ensure_groups() {
  if (groups_ready_) co_return;
  for (const auto& stream : reminder_streams()) {
    // "$" would skip what remind.lua appended before the group existed; "0" reads it all (acked
    // entries are deleted, so nothing is read twice because of this).
    Reply r = co_await client_.command(
        {"XGROUP", "CREATE", stream, kReminderWriterGroup, "0", "MKSTREAM"});
    if (r.is_error() && r.error_message().find("BUSYGROUP") == std::string_view::npos) r.value();
  }
  groups_ready_ = true;
}

asio::awaitable<std::vector<QueuedReminder>> RedisReminderQueue::read(
    std::size_t max, std::chrono::milliseconds block) {
  co_await ensure_groups();
  static const auto names = reminder_streams();
  Reply reply =
      co_await read_group(client_, blocking_, kReminderWriterGroup, consumer_, max, block, names);
  std::vector<QueuedReminder> out;
  if (reply.is_nil()) co_return out;
  if (is_nogroup(reply)) groups_ready_ = false;  // Redis lost its data; recreated next time
  std::vector<std::pair<std::string, std::string>> malformed;
  for (const auto& stream : reply.elements()) {
    auto parts = stream.elements();
    if (parts.size() != 2) continue;
    std::string name(parts[0].as_string());
    for (const auto& entry : parts[1].elements()) {
      auto e = entry.elements();
      if (e.size() != 2) continue;
      std::string id(e[0].as_string());
      auto event = e[1].is_array() ? parse_entry(e[1].elements()) : std::nullopt;
      if (!event) {
        malformed.emplace_back(name, id);
        continue;
      }
      out.push_back(QueuedReminder{name, std::move(id), std::move(*event), 1});
    }
  }
  for (auto& [stream, id] : malformed) {
    co_await dead_letter_malformed(stream, id);
  }
  co_return out;
}

asio::awaitable<std::vector<QueuedReminder>> RedisReminderQueue::claim_stale(
    std::chrono::milliseconds min_idle, std::size_t max) {
  co_await ensure_groups();
  std::vector<QueuedReminder> out;
  auto idle = std::to_string(min_idle.count());
  auto count = std::to_string(max);
  for (const auto& stream : reminder_streams()) {
    // XPENDING gives the delivery counts (XAUTOCLAIM does not); XCLAIM then takes the entries.
    Reply pending = co_await client_.command(
        {"XPENDING", stream, kReminderWriterGroup, "IDLE", idle, "-", "+", count});
    if (is_nogroup(pending)) groups_ready_ = false;
    std::map<std::string, std::uint64_t> deliveries;
    std::vector<std::string> ids;
    for (const auto& p : pending.elements()) {
      auto f = p.elements();
      if (f.size() < 4) continue;
      ids.emplace_back(f[0].as_string());
      deliveries[ids.back()] = static_cast<std::uint64_t>(f[3].as_integer()) + 1;
    }
    if (ids.empty()) continue;
    std::vector<std::string_view> args{"XCLAIM", stream, kReminderWriterGroup, consumer_, idle};
    for (const auto& id : ids)
      args.push_back(id);
    Reply claimed = co_await client_.command(args);
    for (const auto& entry : claimed.elements()) {
      if (!entry.is_array()) continue;  // deleted meanwhile
      auto e = entry.elements();
      if (e.size() != 2 || e[1].is_nil()) continue;
      std::string id(e[0].as_string());
      auto event = parse_entry(e[1].elements());
      if (!event) {
        co_await dead_letter_malformed(stream, id);
        continue;
      }
      out.push_back(QueuedReminder{stream, id, std::move(*event), deliveries[id]});
    }
    if (out.size() >= max) break;
  }
  co_return out;
}

asio::awaitable<void> RedisReminderQueue::ack(std::vector<QueuedReminder> done) {
  std::map<std::string, std::vector<std::string_view>> by_stream;
  for (const auto& q : done)
    by_stream[q.stream].push_back(q.entry_id);
  for (auto& [stream, ids] : by_stream) {
    // Stored entries leave the stream: it holds only what is not yet in the store.
    co_await ack_and_delete(client_, stream, kReminderWriterGroup, ids);
  }
}

asio::awaitable<void> RedisReminderQueue::dead_letter(QueuedReminder entry, std::string reason) {
  auto dead = entry.stream + ":dead";
  auto record = std::to_string(entry.item.reminder_id);
  auto user = std::to_string(entry.item.user_id);
  auto at = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(entry.item.at.time_since_epoch())
          .count());
  (co_await client_.command({"XADD", dead, "*", "r", record, "k", entry.item.ticket, "u", user, "t",
                             at, "reason", reason, "source", entry.entry_id}))
      .value();
  std::vector<QueuedReminder> one{std::move(entry)};
  co_await ack(std::move(one));
}

asio::awaitable<void> RedisReminderQueue::dead_letter_malformed(std::string stream,
                                                                std::string entry_id) {
  spdlog::error("reminder queue: entry {} of {} is malformed; dead-lettered", entry_id, stream);
  auto dead = stream + ":dead";
  (co_await client_.command({"XADD", dead, "*", "reason", "malformed entry", "source", entry_id}))
      .value();
  const std::array<std::string_view, 1> ids{entry_id};
  co_await ack_and_delete(client_, stream, kReminderWriterGroup, ids);
}

}  // namespace seckill::coordinator::redis
