#include "coordinator/redis/redis_reminder_queue.hpp"

#include "core/decimal.hpp"
#include "core/ticket.hpp"

namespace seckill::coordinator::redis {

namespace asio = boost::asio;
using seckill::redis::Reply;

template class RedisStreamQueue<ReminderStreamCodec>;

asio::awaitable<std::vector<std::string>> ReminderStreamCodec::streams(seckill::redis::Client&) {
  const auto all = reminder_streams();
  co_return std::vector<std::string>(all.begin(), all.end());
}

std::optional<ReminderEvent> ReminderStreamCodec::parse(std::span<const Reply> fields) {
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

std::vector<std::string> ReminderStreamCodec::dead_letter_fields(const ReminderEvent& event) {
  auto at =
      std::chrono::duration_cast<std::chrono::milliseconds>(event.at.time_since_epoch()).count();
  return {"r", std::to_string(event.reminder_id), "k", event.ticket,
          "u", std::to_string(event.user_id),     "t", std::to_string(at)};
}

std::string ReminderStreamCodec::dead_stream(std::string_view stream) {
  return std::string(stream) + ":dead";
}

}  // namespace seckill::coordinator::redis
