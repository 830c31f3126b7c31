#pragma once
// The reminders' coordinator on Redis: one Lua script (remind.lua) decides the user's window and
// the ticket's main record, and appends the accepted reminder to its partition's stream, all
// atomically, on Redis's clock.

#include "redis/client.hpp"
#include "remind/reminder_gate.hpp"

namespace seckill::coordinator::redis {

/// Thread-safe (the Client is).
class RedisReminderGate final : public remind::ReminderGate {
 public:
  RedisReminderGate(seckill::redis::Client& client, remind::ReminderWindows windows);

  boost::asio::awaitable<remind::RemindDecision> remind(std::string ticket, std::uint64_t user_id,
                                                        std::uint64_t new_id) override;
  /// close_reminder.lua: deletes the ticket's open-record key if it still names `record_id`.
  boost::asio::awaitable<void> close(std::string ticket, std::uint64_t record_id) override;

 private:
  seckill::redis::Client& client_;
  std::string record_window_ms_;
  std::string user_window_ms_;
};

}  // namespace seckill::coordinator::redis
