#include "coordinator/redis/redis_order_queue.hpp"

#include <random>
#include <unistd.h>

#include <fmt/format.h>

#include "core/decimal.hpp"

namespace seckill::coordinator::redis {

namespace asio = boost::asio;
using seckill::redis::Reply;

template class RedisStreamQueue<OrderStreamCodec>;

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
  auto parsed = parse_voucher_member(member);
  if (!parsed) return std::nullopt;
  return SaleKeys(parsed->voucher_id, parsed->bucket).orders;
}

std::string unique_consumer_name() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::random_device rd;
  return fmt::format("{}-{}-{:08x}", host, ::getpid(), rd());
}

asio::awaitable<std::vector<std::string>> OrderStreamCodec::streams(
    seckill::redis::Client& client) {
  Reply members = co_await client.command({"SMEMBERS", kVoucherSetKey});
  std::vector<std::string> out;
  for (const auto& m : members.elements()) {
    if (auto stream = order_stream_of_member(m.as_string())) out.push_back(std::move(*stream));
  }
  co_return out;
}

std::optional<Order> OrderStreamCodec::parse(std::span<const Reply> fields) {
  return parse_order_entry(fields);
}

std::vector<std::string> OrderStreamCodec::dead_letter_fields(const Order& order) {
  auto at =
      std::chrono::duration_cast<std::chrono::milliseconds>(order.created_at.time_since_epoch())
          .count();
  return {"o", std::to_string(order.id),         "u", std::to_string(order.user_id),
          "v", std::to_string(order.voucher_id), "t", std::to_string(at)};
}

std::string OrderStreamCodec::dead_stream(std::string_view stream) {
  // "{v:ID}:orders" -> "{v:ID}:orders:dead"; an entry of no voucher stream (never read from
  // one, but dead_letter takes any entry) goes to the shared one.
  if (stream.find("{v:") == std::string_view::npos || stream.find('}') == std::string_view::npos)
    return "seckill:orders:dead";
  return std::string(stream) + ":dead";
}

}  // namespace seckill::coordinator::redis
