#pragma once
// The reminders' system of record (remind/reminder_records.hpp) on the PostgreSQL reminder store.
// The store keeps its own copies of the record types (it was written before the use case); this
// adapter translates between them, so the use case never names a store type.

#include "remind/reminder_records.hpp"
#include "store/postgres/reminder_store.hpp"

namespace seckill::app {

/// Thread-safety and failures: as PgReminderStore.
class PgReminderRecords final : public remind::ReminderRecords {
 public:
  explicit PgReminderRecords(store::postgres::PgPool& pool) : store_(pool) {}

  boost::asio::awaitable<void> write(std::vector<ReminderEvent> events) override;
  boost::asio::awaitable<std::vector<ReminderRecord>> list_ticket(
      std::string ticket, std::optional<std::uint64_t> only_user) override;
  boost::asio::awaitable<std::vector<ReminderRecord>> queue(
      ReminderStatus status, int limit, std::optional<ReminderCursor> after) override;
  boost::asio::awaitable<std::expected<ReminderRecord, Failure>> ack(std::uint64_t id,
                                                                     std::uint64_t staff_id,
                                                                     SysTime at) override;
  boost::asio::awaitable<std::expected<ReminderRecord, Failure>> resolve(std::uint64_t id,
                                                                         SysTime at) override;

 private:
  store::postgres::PgReminderStore store_;
};

}  // namespace seckill::app
