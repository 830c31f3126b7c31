#include "coordinator/redis/redis_stock_gate.hpp"

#include <array>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "coordinator/redis/sale_keys.hpp"
#include "core/decimal.hpp"
#include "core/infra_error.hpp"
#include "seckill_coordinator_redis_embedded.hpp"

namespace seckill::coordinator::redis {

namespace asio = boost::asio;
using seckill::redis::Reply;
using seckill::redis::Script;

namespace {

const Script& take_script() {
  static const Script script("take_order", std::string(scripts::take_order));
  return script;
}

const Script& load_script() {
  static const Script script("load_voucher", std::string(scripts::load_voucher));
  return script;
}

// Sold-out vouchers with at most this many buyers are answered without Redis afterwards.
constexpr std::int64_t kMaxCachedBuyers = 200'000;

std::int64_t millis_of(SysTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

RedisStockGate::RedisStockGate(seckill::redis::Client& client, seckill::redis::AckReplicas ack)
    : client_(client), ack_(ack) {}

asio::awaitable<void> RedisStockGate::load(Voucher voucher) {
  SaleKeys keys(voucher.id);
  auto stock = std::to_string(voucher.stock_left);
  std::array<std::string_view, 2> script_keys{keys.stock, keys.orders};
  std::array<std::string_view, 2> script_args{stock, kWriterGroup};
  (co_await client_.eval(load_script(), std::span<const std::string_view>(script_keys),
                         std::span<const std::string_view>(script_args)))
      .value();
  // Registered after the stream and its group exist, so a writer never reads a stream without
  // its group.
  auto id = std::to_string(voucher.id);
  (co_await client_.command({"SADD", kVoucherSetKey, id})).value();
}

asio::awaitable<sale::TakeResult> RedisStockGate::take(Order order) {
  SaleKeys keys(order.voucher_id);
  auto user = std::to_string(order.user_id);
  auto order_id = std::to_string(order.id);
  auto voucher = std::to_string(order.voucher_id);
  auto at = std::to_string(millis_of(order.created_at));
  std::array<std::string_view, 3> script_keys{keys.stock, keys.buyers, keys.orders};
  std::array<std::string_view, 4> script_args{user, order_id, voucher, at};
  const std::span<const std::string_view> key_span(script_keys);
  const std::span<const std::string_view> arg_span(script_args);
  // With acknowledgement, the order survives the loss of the master once WAIT says so (one
  // round trip more); without, a failover may forget the last writes (docs/scaling.md).
  Reply reply;
  if (ack_.replicas > 0) {
    reply = co_await client_.eval(take_script(), key_span, arg_span, ack_);
  } else {
    reply = co_await client_.eval(take_script(), key_span, arg_span);
  }
  auto parts = reply.elements();
  if (parts.size() != 2) throw ProtocolError("take_order.lua: expected a pair");
  auto code = parts[0].as_integer();
  auto value = parts[1].as_integer();
  switch (code) {
    case 1: {
      // Best effort: the order is decided and queued whatever happens here; this only lets
      // GET /orders/{id} say `pending` before the writer has stored it.
      try {
        auto record = fmt::format("{}:{}:{}", voucher, user, at);
        auto key = pending_order_key(order.id);
        co_await client_.command({"SET", key, record, "EX", "86400"});
      } catch (const InfraError& e) {
        spdlog::warn("order {} taken, but its pending record was not written: {}", order.id,
                     e.what());
      }
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

asio::awaitable<std::optional<std::int64_t>> RedisStockGate::stock_left(std::uint64_t voucher_id) {
  SaleKeys keys(voucher_id);
  Reply reply = co_await client_.command({"GET", keys.stock});
  if (reply.is_nil()) co_return std::nullopt;
  auto n = parse_decimal<std::int64_t>(reply.as_string());
  if (!n) throw ProtocolError("stock is not a number in " + keys.stock);
  co_return n;
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

asio::awaitable<std::optional<std::vector<std::uint64_t>>> RedisStockGate::buyers(
    std::uint64_t voucher_id) {
  SaleKeys keys(voucher_id);
  // Bounded: a voucher with a huge stock keeps asking Redis per request instead of holding
  // millions of ids in every instance.
  Reply count = co_await client_.command({"HLEN", keys.buyers});
  if (count.as_integer() > kMaxCachedBuyers) co_return std::nullopt;
  Reply users = co_await client_.command({"HKEYS", keys.buyers});
  std::vector<std::uint64_t> out;
  for (const auto& u : users.elements()) {
    if (auto id = parse_decimal<std::uint64_t>(u.as_string())) out.push_back(*id);
  }
  co_return out;
}

}  // namespace seckill::coordinator::redis
