#pragma once
// The embedded twin of store/postgres/pg_fenced_reminder_ledger.hpp: the fencing check
// (fencing.hpp), the ticket's state and the writes in one SQLite write. The user's window comes
// from reminder_users.last_at (schema 2). The clock is this process's: the embedded mode has one.

#include "lock/fenced_reminder_ledger.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace seckill::store::sqlite {

/// Thread-safety: as SqliteDatabase, which must outlive the ledger.
class SqliteFencedReminderLedger final : public lock::FencedReminderLedger {
 public:
  explicit SqliteFencedReminderLedger(SqliteDatabase& db) : db_(db) {}

  boost::asio::awaitable<std::optional<remind::RemindDecision>> remind(
      std::string resource, std::int64_t fencing_token, std::string ticket, std::uint64_t user_id,
      lock::DecideReminder decide) override;
  boost::asio::awaitable<std::int64_t> stored_fence(std::string resource) override;

 private:
  SqliteDatabase& db_;
};

}  // namespace seckill::store::sqlite
