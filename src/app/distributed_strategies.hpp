#pragma once
// The distributed mode's alternative strategies (issue #6, `--sale-strategy`,
// `--reminder-strategy`): which StockGate and ReminderGate the use cases get. `lua` keeps the
// Redis scripts; `db` and `lock` build PostgreSQL gates and the Redis lock they need. Only what
// the chosen strategies use is built.

#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "app/config.hpp"
#include "coordinator/redis/redis_lock_service.hpp"
#include "coordinator/redis/redis_user_window_cache.hpp"
#include "lock/distributed_lock.hpp"
#include "lock/locked_reminder_gate.hpp"
#include "lock/locked_stock_gate.hpp"
#include "redis/client.hpp"
#include "store/postgres/pg_fenced_reminder_ledger.hpp"
#include "store/postgres/pg_pool.hpp"
#include "store/postgres/pg_stock_gate.hpp"

namespace seckill::app {

class DistributedStrategies {
 public:
  /// The lock's release notifications are heard on `executor` (single-threaded).
  DistributedStrategies(const ServeConfig& config, redis::Client& redis,
                        boost::asio::any_io_executor executor, redis::ConnectionOptions options,
                        store::postgres::PgPool& pg);

  /// The gate the sale uses: `lua` itself, or the db / lock gate.
  sale::StockGate& sale_gate(sale::StockGate& lua);
  remind::ReminderGate& reminder_gate(remind::ReminderGate& lua);

  /// Starts listening for lock releases (when a lock strategy is chosen). On `executor`.
  void start();
  void stop();

 private:
  std::unique_ptr<coordinator::redis::RedisLockService> lock_service_;
  std::unique_ptr<lock::DistributedLock> lock_;
  std::unique_ptr<store::postgres::PgStockGate> db_gate_;
  std::unique_ptr<lock::LockedStockGate> locked_gate_;
  std::unique_ptr<store::postgres::PgFencedReminderLedger> ledger_;
  std::unique_ptr<coordinator::redis::RedisUserWindowCache> window_cache_;
  std::unique_ptr<lock::LockedReminderGate> locked_reminders_;
};

/// The lease and wait of the strategies' locks: a purchase or a reminder is one short
/// transaction, so a holder that is gone frees the lock within seconds.
lock::AcquireOptions strategy_lock_options();

}  // namespace seckill::app
