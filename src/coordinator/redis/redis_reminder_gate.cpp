#include "coordinator/redis/redis_reminder_gate.hpp"

#include <array>

#include "coordinator/redis/remind_keys.hpp"
#include "core/decimal.hpp"
#include "core/infra_error.hpp"
#include "seckill_coordinator_redis_embedded.hpp"

namespace seckill::coordinator::redis {

namespace asio = boost::asio;
using seckill::redis::Reply;
using seckill::redis::Script;

namespace {

const Script& remind_script() {
  static const Script script("remind", std::string(scripts::remind));
  return script;
}

const Script& close_script() {
  static const Script script("close_reminder", std::string(scripts::close_reminder));
  return script;
}

std::uint64_t parse_id(std::string_view text) {
  auto value = parse_decimal<std::uint64_t>(text);
  if (!value) throw ProtocolError("remind.lua: the record id is not a number");
  return *value;
}

}  // namespace

RedisReminderGate::RedisReminderGate(seckill::redis::Client& client,
                                     remind::ReminderWindows windows)
    : client_(client),
      record_window_ms_(std::to_string(windows.record.count())),
      user_window_ms_(std::to_string(windows.user.count())) {}

asio::awaitable<remind::RemindDecision> RedisReminderGate::remind(std::string ticket,
                                                                  std::uint64_t user_id,
                                                                  std::uint64_t new_id) {
  RemindKeys keys(ticket, user_id);
  auto user = std::to_string(user_id);
  auto id = std::to_string(new_id);
  std::array<std::string_view, 3> script_keys{keys.user, keys.open, keys.events};
  std::array<std::string_view, 5> script_args{ticket, user, id, record_window_ms_, user_window_ms_};
  Reply reply =
      co_await client_.eval(remind_script(), std::span<const std::string_view>(script_keys),
                            std::span<const std::string_view>(script_args));
  auto parts = reply.elements();
  if (parts.size() != 4) throw ProtocolError("remind.lua: expected four values");
  auto code = parts[0].as_integer();
  remind::RemindDecision decision;
  decision.at = SysTime(std::chrono::milliseconds(parts[3].as_integer()));
  switch (code) {
    case 0:
      decision.outcome = remind::RemindOutcome::already_reminded;
      decision.retry_after = std::chrono::milliseconds(parts[2].as_integer());
      if (parts[1].is_string() && !parts[1].as_string().empty()) {
        decision.reminder_id = parse_decimal<std::uint64_t>(parts[1].as_string()).value_or(0);
      }
      co_return decision;
    case 1:
    case 2:
      decision.outcome = code == 1 ? remind::RemindOutcome::opened : remind::RemindOutcome::joined;
      decision.reminder_id = parse_id(parts[1].as_string());
      co_return decision;
    default:
      throw ProtocolError(fmt::format("remind.lua: unknown outcome {}", code));
  }
}

asio::awaitable<void> RedisReminderGate::close(std::string ticket, std::uint64_t record_id) {
  RemindKeys keys(ticket, 0);
  auto id = std::to_string(record_id);
  std::array<std::string_view, 1> script_keys{keys.open};
  std::array<std::string_view, 1> script_args{id};
  (void)co_await client_.eval(close_script(), std::span<const std::string_view>(script_keys),
                              std::span<const std::string_view>(script_args));
}

}  // namespace seckill::coordinator::redis
