#include "coordinator/redis/coordinator_audit_reads.hpp"

#include <string_view>

#include <fmt/format.h>

#include "coordinator/redis/remind_keys.hpp"
#include "coordinator/redis/sale_keys.hpp"
#include "core/decimal.hpp"
#include "core/infra_error.hpp"

namespace seckill::coordinator::redis {

namespace {

std::uint64_t parse_u64(std::string_view text) {
  auto v = parse_decimal<std::uint64_t>(text);
  if (!v) throw ProtocolError(fmt::format("'{}' is not an id", text));
  return *v;
}

std::uint64_t xlen(const seckill::redis::Reply& reply) {
  return static_cast<std::uint64_t>(reply.as_integer());
}

}  // namespace

boost::asio::awaitable<std::map<std::uint64_t, unsigned>> bucket_counts(
    seckill::redis::Client& client, std::vector<std::uint64_t> ids) {
  auto reply = co_await client.command({"SMEMBERS", kVoucherSetKey});
  std::vector<std::string> members;
  for (const auto& m : reply.elements())
    members.emplace_back(m.as_string());
  auto registered = registered_buckets(members);
  std::map<std::uint64_t, unsigned> out;
  for (auto id : ids) {
    auto it = registered.find(id);
    out[id] = it == registered.end() ? 1u : it->second.back() + 1;
  }
  co_return out;
}

boost::asio::awaitable<std::uint64_t> queued_orders(seckill::redis::Client& client,
                                                    std::map<std::uint64_t, unsigned> buckets) {
  std::uint64_t total = 0;
  for (const auto& [id, count] : buckets) {
    for (unsigned b = 0; b < count; ++b) {
      SaleKeys keys(id, b);
      total += xlen(co_await client.command({"XLEN", keys.orders}));
    }
  }
  co_return total;
}

boost::asio::awaitable<BucketState> read_bucket(seckill::redis::Client& client, std::uint64_t id,
                                                unsigned bucket) {
  SaleKeys keys(id, bucket);
  BucketState state;
  state.bucket = bucket;
  auto stock = co_await client.command({"GET", keys.stock});
  if (!stock.is_nil()) {
    auto n = parse_decimal<std::int64_t>(stock.as_string());
    if (!n) throw ProtocolError(fmt::format("{} is not a number", keys.stock));
    state.stock_left = *n;
  }
  auto buyers = co_await client.command({"HGETALL", keys.buyers});
  auto fields = buyers.elements();
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    state.buyers[parse_u64(fields[i].as_string())] = parse_u64(fields[i + 1].as_string());
  }
  state.queued = xlen(co_await client.command({"XLEN", keys.orders}));
  co_return state;
}

boost::asio::awaitable<std::uint64_t> queued_reminders(seckill::redis::Client& client) {
  std::uint64_t total = 0;
  for (const auto& stream : reminder_streams())
    total += xlen(co_await client.command({"XLEN", stream}));
  co_return total;
}

boost::asio::awaitable<remind::CoordinatorReminders> read_reminders(
    seckill::redis::Client& client) {
  remind::CoordinatorReminders out;
  out.queued = co_await queued_reminders(client);
  for (std::uint32_t p = 0; p < kReminderPartitions; ++p) {
    const auto prefix = fmt::format("{{r:{}}}:", p);
    const auto open_prefix = prefix + "open:";
    const auto user_prefix = prefix + "user:";
    // The node that holds the partition (in a Redis Cluster, SCAN walks one node).
    auto node = co_await client.dedicated_for(reminder_stream(p));
    std::string cursor = "0";
    do {
      auto page = co_await node.command({"SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000"});
      auto parts = page.elements();
      if (parts.size() != 2) throw ProtocolError("SCAN: not a cursor and a page");
      cursor = std::string(parts[0].as_string());
      for (const auto& k : parts[1].elements()) {
        const std::string key(k.as_string());
        if (key.starts_with(open_prefix)) {
          auto fields = co_await node.command({"HMGET", key, "id", "first_at"});
          auto values = fields.elements();
          if (values.size() != 2 || values[0].is_nil() || values[1].is_nil()) continue;
          auto first_ms = parse_decimal<std::int64_t>(values[1].as_string());
          if (!first_ms) throw ProtocolError(fmt::format("{} first_at is not a number", key));
          remind::OpenPointer pointer{.ticket = key.substr(open_prefix.size()),
                                      .record_id = parse_u64(values[0].as_string()),
                                      .first_at = SysTime(std::chrono::milliseconds(*first_ms)),
                                      .window_end = std::nullopt};
          auto expiry = (co_await node.command({"PEXPIRETIME", key})).as_integer();
          if (expiry == -2) continue;  // expired meanwhile
          if (expiry > 0) pointer.window_end = SysTime(std::chrono::milliseconds(expiry));
          out.open.push_back(std::move(pointer));
        } else if (key.starts_with(user_prefix)) {
          // {r:P}:user:TICKET:USER; a ticket has no ':' (core/ticket.hpp).
          const std::string_view rest = std::string_view(key).substr(user_prefix.size());
          const auto colon = rest.rfind(':');
          if (colon == std::string_view::npos) continue;
          auto user = parse_decimal<std::uint64_t>(rest.substr(colon + 1));
          if (!user) continue;
          auto record = co_await node.command({"GET", key});
          if (record.is_nil()) continue;  // expired meanwhile
          auto record_id = parse_decimal<std::uint64_t>(record.as_string());
          if (!record_id) continue;  // '' : a window whose record is unknown
          out.users.push_back(remind::UserWindow{.ticket = std::string(rest.substr(0, colon)),
                                                 .user_id = *user,
                                                 .record_id = *record_id});
        }
      }
    } while (cursor != "0");
  }
  co_return out;
}

}  // namespace seckill::coordinator::redis
