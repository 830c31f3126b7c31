#include "coordinator/redis/redis_stock_gate.hpp"

#include <algorithm>
#include <array>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "coordinator/redis/redis_order_queue.hpp"
#include "coordinator/redis/sale_keys.hpp"
#include "core/decimal.hpp"
#include "core/infra_error.hpp"
#include "seckill_coordinator_redis_embedded.hpp"

namespace seckill::coordinator::redis {

namespace asio = boost::asio;
using seckill::redis::CommandArgs;
using seckill::redis::Reply;
using seckill::redis::Script;

namespace {

const Script& take_script() {
  static const Script script("take_order", std::string(scripts::take_order));
  return script;
}

const Script& take_bucket_script() {
  static const Script script("take_bucket", std::string(scripts::take_bucket));
  return script;
}

const Script& borrow_script() {
  static const Script script("borrow_unit", std::string(scripts::borrow_unit));
  return script;
}

const Script& load_script() {
  static const Script script("load_voucher", std::string(scripts::load_voucher));
  return script;
}

const Script& restore_script() {
  static const Script script("restore_voucher", std::string(scripts::restore_voucher));
  return script;
}

// Buyers written back per HSET when a voucher is rebuilt.
constexpr std::size_t kRestoreChunk = 500;

// Sold-out vouchers with at most this many buyers are answered without Redis afterwards.
constexpr std::int64_t kMaxCachedBuyers = 200'000;

/// The order id a take script returns with -1 (already ordered): a string, so that Lua does not
/// round it; 0 when it is not a number.
std::uint64_t held_order_id(const Reply& value) {
  if (value.is_integer()) return static_cast<std::uint64_t>(value.as_integer());
  return parse_decimal<std::uint64_t>(value.as_string()).value_or(0);
}

std::int64_t millis_of(SysTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

// Three constructors rather than default arguments: a braced default argument of a gate built in
// a coroutine frame is one of GCC 12's coroutine traps.
RedisStockGate::RedisStockGate(seckill::redis::Client& client)
    : client_(client), ack_(), buckets_(1), pending_in_script_(!client.cluster()) {}

RedisStockGate::RedisStockGate(seckill::redis::Client& client, seckill::redis::AckReplicas ack)
    : client_(client), ack_(ack), buckets_(1), pending_in_script_(!client.cluster()) {}

RedisStockGate::RedisStockGate(seckill::redis::Client& client, seckill::redis::AckReplicas ack,
                               unsigned buckets)
    : client_(client),
      ack_(ack),
      buckets_(std::max(1u, buckets)),
      pending_in_script_(!client.cluster()) {}

unsigned RedisStockGate::home_bucket(std::uint64_t user_id, unsigned buckets) {
  // splitmix64's finalizer: consecutive user ids spread evenly.
  std::uint64_t z = user_id + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<unsigned>(z % std::max(1u, buckets));
}

asio::awaitable<void> RedisStockGate::load(Voucher voucher) {
  // Bucket b holds stock/K units, the first stock%K buckets one more. Each bucket is loaded
  // with SET NX, so a bucket already live keeps its stock and buyers.
  const auto k = static_cast<std::int64_t>(buckets_);
  for (unsigned b = 0; b < buckets_; ++b) {
    SaleKeys keys(voucher.id, b);
    const std::int64_t share =
        voucher.stock_left / k + (static_cast<std::int64_t>(b) < voucher.stock_left % k ? 1 : 0);
    auto stock = std::to_string(share);
    std::array<std::string_view, 2> script_keys{keys.stock, keys.orders};
    std::array<std::string_view, 2> script_args{stock, kWriterGroup};
    (co_await client_.eval(load_script(), std::span<const std::string_view>(script_keys),
                           std::span<const std::string_view>(script_args)))
        .value();
    // Registered after the stream and its group exist, so a writer never reads a stream
    // without its group.
    auto member = voucher_member(voucher.id, b);
    (co_await client_.command({"SADD", kVoucherSetKey, member})).value();
  }
}

asio::awaitable<bool> RedisStockGate::claim_rebuild(std::uint64_t voucher_id, std::string owner,
                                                    std::chrono::milliseconds ttl) {
  auto key = rebuild_claim_key(voucher_id);
  auto ms = std::to_string(ttl.count());
  Reply reply = co_await client_.command({"SET", key, owner, "NX", "PX", ms});
  co_return !reply.is_nil();
}

asio::awaitable<bool> RedisStockGate::restore_lost(Voucher voucher, std::int64_t stock_left,
                                                   std::vector<sale::Buyer> buyers,
                                                   std::string owner) {
  // Nothing sells while bucket 0's stock is absent, so the buyers go first: a sale that resumes
  // already knows every stored order.
  std::vector<std::vector<std::string>> per_bucket(buckets_);
  for (const auto& b : buyers) {
    auto& fields = per_bucket[buckets_ > 1 ? home_bucket(b.user_id, buckets_) : 0];
    fields.push_back(std::to_string(b.user_id));
    fields.push_back(std::to_string(b.order_id));
  }
  for (unsigned b = 0; b < buckets_; ++b) {
    SaleKeys keys(voucher.id, b);
    const auto& fields = per_bucket[b];
    for (std::size_t at = 0; at < fields.size(); at += 2 * kRestoreChunk) {
      std::vector<std::string_view> args;  // not a braced list: GCC 12, in a coroutine frame
      args.reserve(2 + 2 * kRestoreChunk);
      args.emplace_back("HSET");
      args.emplace_back(keys.buyers);
      const auto end = std::min(fields.size(), at + 2 * kRestoreChunk);
      for (std::size_t i = at; i < end; ++i)
        args.emplace_back(fields[i]);
      const CommandArgs command(args);
      (co_await client_.command(command)).value();
    }
  }
  const auto k = static_cast<std::int64_t>(buckets_);
  auto share_of = [&](unsigned b) {
    return std::to_string(stock_left / k + (static_cast<std::int64_t>(b) < stock_left % k ? 1 : 0));
  };
  for (unsigned b = buckets_; b-- > 1;) {
    SaleKeys keys(voucher.id, b);
    auto share = share_of(b);
    std::array<std::string_view, 2> script_keys{keys.stock, keys.orders};
    std::array<std::string_view, 2> script_args{share, kWriterGroup};
    (co_await client_.eval(load_script(), std::span<const std::string_view>(script_keys),
                           std::span<const std::string_view>(script_args)))
        .value();
  }
  SaleKeys keys(voucher.id, 0);
  auto claim = rebuild_claim_key(voucher.id);
  auto share = share_of(0);
  std::array<std::string_view, 3> script_keys{keys.stock, keys.orders, claim};
  std::array<std::string_view, 3> script_args{share, kWriterGroup, owner};
  Reply done =
      co_await client_.eval(restore_script(), std::span<const std::string_view>(script_keys),
                            std::span<const std::string_view>(script_args));
  for (unsigned b = 0; b < buckets_; ++b) {
    auto member = voucher_member(voucher.id, b);
    (co_await client_.command({"SADD", kVoucherSetKey, member})).value();
  }
  co_return done.as_integer() == 1;
}

asio::awaitable<sale::TakeResult> RedisStockGate::take(Order order) {
  if (buckets_ > 1) co_return co_await take_bucketed(order);
  SaleKeys keys(order.voucher_id);
  auto user = std::to_string(order.user_id);
  auto order_id = std::to_string(order.id);
  auto voucher = std::to_string(order.voucher_id);
  auto at = std::to_string(millis_of(order.created_at));
  // On a single Redis the script writes the pending record too: one round trip per purchase.
  const std::string pending_key = pending_in_script_ ? pending_order_key(order.id) : std::string();
  std::array<std::string_view, 4> script_keys{keys.stock, keys.buyers, keys.orders, pending_key};
  std::array<std::string_view, 4> script_args{user, order_id, voucher, at};
  const std::span<const std::string_view> key_span(script_keys.data(), pending_in_script_ ? 4 : 3);
  const std::span<const std::string_view> arg_span(script_args);
  // With acknowledgement, the order survives the loss of the master once WAIT says so (one
  // round trip more); without, a failover may forget the last writes (docs/scaling.md).
  Reply reply;
  if (ack_.replicas > 0) {
    reply =
        co_await eval_acked_take(take_script(), key_span, arg_span, keys.buyers, user, order_id);
  } else {
    reply = co_await client_.eval(take_script(), key_span, arg_span);
  }
  auto parts = reply.elements();
  if (parts.size() != 2) throw ProtocolError("take_order.lua: expected a pair");
  auto code = parts[0].as_integer();
  if (code == -1) {
    sale::TakeResult held{sale::TakeOutcome::already_ordered, 0};
    held.held_order_id = held_order_id(parts[1]);
    co_return held;
  }
  auto value = parts[1].as_integer();
  switch (code) {
    case 1: {
      if (!pending_in_script_) co_await write_pending_record(order.id, voucher, user, at);
      co_return sale::TakeResult{sale::TakeOutcome::taken, value};
    }
    case 0:
      co_return sale::TakeResult{sale::TakeOutcome::sold_out, 0};
    case -1:
      co_return sale::TakeResult{sale::TakeOutcome::already_ordered, 0};
    case -2:
      co_return sale::TakeResult{sale::TakeOutcome::unknown_voucher, 0};
    default:
      throw ProtocolError(fmt::format("take_order.lua: unknown outcome {}", code));
  }
}

asio::awaitable<Reply> RedisStockGate::eval_acked_take(const Script& script,
                                                       std::span<const std::string_view> keys,
                                                       std::span<const std::string_view> args,
                                                       std::string_view buyers_key,
                                                       std::string_view user,
                                                       std::string_view order_id) {
  std::string failure;
  try {
    co_return co_await client_.eval(script, keys, args, ack_);
  } catch (const ReplyLostError&) {
    throw;  // the take's own reply lost: the sale makes it OutcomeUnknownError
  } catch (const IoError& e) {
    failure = e.what();  // a WAIT short of replicas, or no connection at all: looked at below
  }
  std::optional<std::string> held;
  try {
    Reply mark = co_await client_.command({"HGET", buyers_key, user});
    if (mark.is_string()) held = std::string(mark.as_string());
  } catch (const InfraError& e) {
    throw OutcomeUnknownError(fmt::format("{}; whether order {} was taken cannot be told ({})",
                                          failure, order_id, e.what()));
  }
  if (held && *held == order_id) {
    // Taken, but not (yet) on the replicas asked for: a failover now could forget it.
    throw OutcomeUnknownError(fmt::format("order {} was taken but {}", order_id, failure));
  }
  if (held) {
    // The user held another order already: that is the answer, whatever the replicas hold.
    std::vector<Reply> answer;
    answer.push_back(Reply::integer(-1));
    answer.push_back(Reply::string(std::move(*held)));
    co_return Reply::array(std::move(answer));
  }
  throw IoError(failure);  // nothing was taken for this user: 503 tells the truth
}

asio::awaitable<std::optional<std::int64_t>> RedisStockGate::stock_left(std::uint64_t voucher_id) {
  std::int64_t total = 0;
  for (unsigned b = 0; b < buckets_; ++b) {
    SaleKeys keys(voucher_id, b);
    Reply reply = co_await client_.command({"GET", keys.stock});
    if (reply.is_nil()) {
      if (b == 0) co_return std::nullopt;
      continue;
    }
    auto n = parse_decimal<std::int64_t>(reply.as_string());
    if (!n) throw ProtocolError("stock is not a number in " + keys.stock);
    total += *n;
  }
  co_return total;
}

asio::awaitable<std::optional<Order>> RedisStockGate::find_pending(std::uint64_t order_id) {
  auto key = pending_order_key(order_id);
  Reply reply = co_await client_.command({"GET", key});
  if (reply.is_nil()) co_return std::nullopt;
  // "voucher:user:millis"
  std::string_view text = reply.as_string();
  auto a = text.find(':');
  auto b = text.find(':', a == std::string_view::npos ? a : a + 1);
  if (a == std::string_view::npos || b == std::string_view::npos) co_return std::nullopt;
  auto voucher = parse_decimal<std::uint64_t>(text.substr(0, a));
  auto user = parse_decimal<std::uint64_t>(text.substr(a + 1, b - a - 1));
  auto ms = parse_decimal<std::int64_t>(text.substr(b + 1));
  if (!voucher || !user || !ms) co_return std::nullopt;
  co_return Order{.id = order_id,
                  .user_id = *user,
                  .voucher_id = *voucher,
                  .created_at = SysTime(std::chrono::milliseconds(*ms)),
                  .status = OrderStatus::pending};
}

asio::awaitable<void> RedisStockGate::read_stream(std::string stream,
                                                  std::optional<std::uint64_t> user,
                                                  std::vector<Order>& out) {
  Reply entries = co_await client_.command({"XRANGE", stream, "-", "+"});
  for (const auto& entry : entries.elements()) {
    auto e = entry.elements();
    if (e.size() != 2 || !e[1].is_array()) continue;
    auto order = parse_order_entry(e[1].elements());
    if (order && (!user || order->user_id == *user)) out.push_back(*order);
  }
}

asio::awaitable<std::vector<Order>> RedisStockGate::pending_orders(std::uint64_t voucher_id) {
  std::vector<Order> out;
  for (unsigned b = 0; b < buckets_; ++b) {
    co_await read_stream(SaleKeys(voucher_id, b).orders, std::nullopt, out);
  }
  co_return out;
}

asio::awaitable<std::vector<Order>> RedisStockGate::pending_orders_of_user(std::uint64_t user_id) {
  std::vector<Order> out;
  Reply members = co_await client_.command({"SMEMBERS", kVoucherSetKey});
  for (const auto& m : members.elements()) {
    if (auto stream = order_stream_of_member(m.as_string())) {
      co_await read_stream(std::move(*stream), user_id, out);
    }
  }
  co_return out;
}

asio::awaitable<std::optional<std::vector<sale::Buyer>>> RedisStockGate::buyers(
    std::uint64_t voucher_id) {
  // Bounded: a voucher with a huge stock keeps asking Redis per request instead of holding
  // millions of ids in every instance.
  std::int64_t count = 0;
  for (unsigned b = 0; b < buckets_; ++b) {
    SaleKeys keys(voucher_id, b);
    count += (co_await client_.command({"HLEN", keys.buyers})).as_integer();
  }
  if (count > kMaxCachedBuyers) co_return std::nullopt;
  std::vector<sale::Buyer> out;
  for (unsigned b = 0; b < buckets_; ++b) {
    SaleKeys keys(voucher_id, b);
    Reply fields = co_await client_.command({"HGETALL", keys.buyers});
    auto flat = fields.elements();
    for (std::size_t i = 0; i + 1 < flat.size(); i += 2) {
      auto user = parse_decimal<std::uint64_t>(flat[i].as_string());
      auto order = parse_decimal<std::uint64_t>(flat[i + 1].as_string());
      if (user && order) out.push_back(sale::Buyer{*user, *order});
    }
  }
  co_return out;
}

// On a Redis Cluster only (the record's key is in another slot than the voucher's, so the take
// script cannot write it). Best effort: the order is decided and queued whatever happens here;
// this only lets GET /orders/{id} say `pending` before the writer has stored it.
asio::awaitable<void> RedisStockGate::write_pending_record(std::uint64_t order_id,
                                                           std::string_view voucher,
                                                           std::string_view user,
                                                           std::string_view at) {
  try {
    auto record = fmt::format("{}:{}:{}", voucher, user, at);
    auto key = pending_order_key(order_id);
    co_await client_.command({"SET", key, record, "EX", "86400"});
  } catch (const InfraError& e) {
    spdlog::warn("order {} taken, but its pending record was not written: {}", order_id, e.what());
  }
}

asio::awaitable<std::int64_t> RedisStockGate::total_left(std::uint64_t voucher_id) {
  auto left = co_await stock_left(voucher_id);
  co_return left.value_or(0);
}

// The bucket protocol (docs/scaling.md): the user's mark is only ever written in their home
// bucket, by take_bucket.lua; other buckets only give units away (borrow_unit.lua, never below
// zero), which take_bucket.lua adds to the home bucket in the same step as the take. So no
// user holds two orders and no unit is sold twice, whatever runs concurrently; a crash between
// a borrow and its take loses that one unit (sold short, never oversold).
asio::awaitable<sale::TakeResult> RedisStockGate::take_bucketed(Order order) {
  const unsigned home = home_bucket(order.user_id, buckets_);
  SaleKeys keys(order.voucher_id, home);
  auto user = std::to_string(order.user_id);
  auto order_id = std::to_string(order.id);
  auto voucher = std::to_string(order.voucher_id);
  auto at = std::to_string(millis_of(order.created_at));
  const std::string pending_key = pending_in_script_ ? pending_order_key(order.id) : std::string();
  std::array<std::string_view, 4> script_keys{keys.stock, keys.buyers, keys.orders, pending_key};
  const std::span<const std::string_view> key_span(script_keys.data(), pending_in_script_ ? 4 : 3);

  auto attempt = [&](std::string_view add) {
    std::array<std::string_view, 5> args{user, order_id, voucher, at, add};
    return std::vector<std::string_view>(args.begin(), args.end());
  };
  std::int64_t code = 0, value = 0;
  std::uint64_t held = 0;
  // Home first; then one unit from each other bucket in turn; then home once more (units a
  // concurrent borrower left there); then, if any bucket still shows stock (a unit was in
  // flight between two buckets), one more round.
  for (int round = 0; round < 2; ++round) {
    for (unsigned step = 0; step <= buckets_; ++step) {
      std::string_view add = "0";  // units to add: a literal, no string to copy
      if (step > 0 && step < buckets_) {
        SaleKeys donor(order.voucher_id, (home + step) % buckets_);
        std::array<std::string_view, 1> donor_keys{donor.stock};
        const std::span<const std::string_view> donor_span(donor_keys);
        const CommandArgs no_args;
        Reply moved = co_await client_.eval(borrow_script(), donor_span, no_args);
        if (moved.as_integer() != 1) continue;  // dry (or not loaded): the next one
        add = "1";
      }
      auto args = attempt(add);
      const std::span<const std::string_view> arg_span(args);
      Reply reply;
      if (ack_.replicas > 0) {
        reply = co_await eval_acked_take(take_bucket_script(), key_span, arg_span, keys.buyers,
                                         user, order_id);
      } else {
        reply = co_await client_.eval(take_bucket_script(), key_span, arg_span);
      }
      auto parts = reply.elements();
      if (parts.size() != 2) throw ProtocolError("take_bucket.lua: expected a pair");
      code = parts[0].as_integer();
      if (code == -1) {
        held = held_order_id(parts[1]);
        break;
      }
      value = parts[1].as_integer();
      if (code != 0) break;  // taken, already ordered or not loaded: decided
    }
    if (code != 0) break;
    if (co_await total_left(order.voucher_id) <= 0) break;
  }
  switch (code) {
    case 1: {
      if (!pending_in_script_) co_await write_pending_record(order.id, voucher, user, at);
      // The caller marks the voucher sold out when this reaches 0: the home bucket running
      // dry is not enough, every bucket must be.
      std::int64_t left = value;
      if (left == 0) {
        // The order is taken and queued: a failure to count the other buckets must not turn
        // that into 503 ("nothing was taken"). Uncounted, the voucher is just not marked sold
        // out here (-1).
        try {
          left = co_await total_left(order.voucher_id);
        } catch (const InfraError& e) {
          spdlog::warn("order {} taken; the stock left could not be counted: {}", order.id,
                       e.what());
          left = -1;
        }
      }
      co_return sale::TakeResult{sale::TakeOutcome::taken, left};
    }
    case 0:
      co_return sale::TakeResult{sale::TakeOutcome::sold_out, 0};
    case -1: {
      sale::TakeResult result{sale::TakeOutcome::already_ordered, 0};
      result.held_order_id = held;
      co_return result;
    }
    case -2:
      co_return sale::TakeResult{sale::TakeOutcome::unknown_voucher, 0};
    default:
      throw ProtocolError(fmt::format("take_bucket.lua: unknown outcome {}", code));
  }
}

}  // namespace seckill::coordinator::redis
