#pragma once
// The embedded mode's alternative strategies (issue #6). The same designs as distributed, over
// the embedded parts: `db` is one SQLite write per purchase (store/sqlite/sqlite_stock_gate.hpp);
// `lock` takes the in-process lock (coordinator/embedded/embedded_lock_service.hpp) per user or
// per ticket and then writes SQLite under it with the fencing token. With one process they buy
// no safety the default does not have; they exist so every strategy runs, and is tested, in both
// modes (docs/locks.md).

#include <memory>

#include "app/config.hpp"
#include "coordinator/embedded/embedded_lock_service.hpp"
#include "lock/distributed_lock.hpp"
#include "lock/local_user_window_cache.hpp"
#include "lock/locked_reminder_gate.hpp"
#include "lock/locked_stock_gate.hpp"
#include "store/sqlite/sqlite_database.hpp"
#include "store/sqlite/sqlite_fenced_reminder_ledger.hpp"
#include "store/sqlite/sqlite_stock_gate.hpp"

namespace seckill::app {

class EmbeddedStrategies {
 public:
  EmbeddedStrategies(const ServeConfig& config, store::sqlite::SqliteDatabase& db);

  sale::StockGate& sale_gate(sale::StockGate& lua);
  remind::ReminderGate& reminder_gate(remind::ReminderGate& lua);

 private:
  std::unique_ptr<coordinator::embedded::EmbeddedLockService> lock_service_;
  std::unique_ptr<lock::DistributedLock> lock_;
  std::unique_ptr<store::sqlite::SqliteStockGate> db_gate_;
  std::unique_ptr<lock::LockedStockGate> locked_gate_;
  std::unique_ptr<store::sqlite::SqliteFencedReminderLedger> ledger_;
  std::unique_ptr<lock::LocalUserWindowCache> window_cache_;
  std::unique_ptr<lock::LockedReminderGate> locked_reminders_;
};

}  // namespace seckill::app
