#include "coordinator/redis/redis_user_window_cache.hpp"

#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "core/decimal.hpp"

namespace seckill::coordinator::redis {

namespace asio = boost::asio;
using seckill::redis::Reply;
using std::chrono::milliseconds;

namespace {

std::string key_of(const std::string& ticket, std::uint64_t user_id) {
  return fmt::format("seckill:remind-window:{}:{}", ticket, user_id);
}

}  // namespace

asio::awaitable<std::optional<lock::CachedWindow>> RedisUserWindowCache::remaining(
    std::string ticket, std::uint64_t user_id) {
  auto key = key_of(ticket, user_id);
  auto left = (co_await client_.command({"PTTL", key})).as_integer();
  // -2: no key; -1: no expiry (never written so): not trusted.
  if (left <= 0) co_return std::nullopt;
  lock::CachedWindow window{milliseconds(left), 0};
  // The value is the record id. A key written before ids were kept holds "1": no real id is that
  // small (its bits 62..32 are seconds since 2024), so 0 (not known) is kept for it.
  Reply value = co_await client_.command({"GET", key});
  if (value.is_string()) {
    auto id = parse_decimal<std::uint64_t>(value.as_string()).value_or(0);
    if (id > std::numeric_limits<std::uint32_t>::max()) window.reminder_id = id;
  }
  co_return window;
}

asio::awaitable<void> RedisUserWindowCache::remember(std::string ticket, std::uint64_t user_id,
                                                     SysTime until, std::uint64_t reminder_id) {
  auto key = key_of(ticket, user_id);
  // PXAT: the absolute end, so the time this write took is not added to the window. An `until`
  // already past makes Redis drop the key at once.
  auto until_ms = std::chrono::duration_cast<milliseconds>(until.time_since_epoch()).count();
  if (until_ms <= 0) co_return;
  auto pxat = std::to_string(until_ms);
  auto id = std::to_string(reminder_id);
  (co_await client_.command({"SET", key, id, "PXAT", pxat})).value();
}

}  // namespace seckill::coordinator::redis
