#include "app/embedded_strategies.hpp"

#include "app/distributed_strategies.hpp"

namespace seckill::app {

EmbeddedStrategies::EmbeddedStrategies(const ServeConfig& config,
                                       store::sqlite::SqliteDatabase& db) {
  if (config.sale_strategy == "lock" || config.reminder_strategy == "lock") {
    lock_service_ = std::make_unique<coordinator::embedded::EmbeddedLockService>();
    lock_ = std::make_unique<lock::DistributedLock>(*lock_service_);
  }
  if (config.sale_strategy != "lua")
    db_gate_ = std::make_unique<store::sqlite::SqliteStockGate>(db);
  if (config.sale_strategy == "lock") {
    locked_gate_ =
        std::make_unique<lock::LockedStockGate>(*db_gate_, *lock_, strategy_lock_options());
  }
  if (config.reminder_strategy == "lock") {
    ledger_ = std::make_unique<store::sqlite::SqliteFencedReminderLedger>(db);
    window_cache_ = std::make_unique<lock::LocalUserWindowCache>();
    locked_reminders_ = std::make_unique<lock::LockedReminderGate>(
        *lock_, *ledger_, *window_cache_,
        remind::ReminderWindows{config.reminder_window, config.reminder_user_window},
        strategy_lock_options());
  }
}

sale::StockGate& EmbeddedStrategies::sale_gate(sale::StockGate& lua) {
  if (locked_gate_) return *locked_gate_;
  if (db_gate_) return *db_gate_;
  return lua;
}

remind::ReminderGate& EmbeddedStrategies::reminder_gate(remind::ReminderGate& lua) {
  if (locked_reminders_) return *locked_reminders_;
  return lua;
}

}  // namespace seckill::app
