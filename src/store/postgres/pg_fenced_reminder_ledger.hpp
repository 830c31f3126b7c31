#pragma once
// The lock-based reminder strategy's store (lock/fenced_reminder_ledger.hpp) in PostgreSQL: the
// fencing check (fencing.hpp), the ticket's state, and the writes, in one transaction.

#include "lock/fenced_reminder_ledger.hpp"
#include "store/postgres/pg_pool.hpp"

namespace seckill::store::postgres {

/// Thread-safety: as PgPool, which must outlive the ledger.
class PgFencedReminderLedger final : public lock::FencedReminderLedger {
 public:
  explicit PgFencedReminderLedger(PgPool& pool) : pool_(pool) {}

  boost::asio::awaitable<std::optional<remind::RemindDecision>> remind(
      std::string resource, std::int64_t fencing_token, std::string ticket, std::uint64_t user_id,
      lock::DecideReminder decide) override;
  boost::asio::awaitable<std::int64_t> stored_fence(std::string resource) override;

 private:
  PgPool& pool_;
};

}  // namespace seckill::store::postgres
