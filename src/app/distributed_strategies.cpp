#include "app/distributed_strategies.hpp"

namespace seckill::app {

using namespace std::chrono_literals;

lock::AcquireOptions strategy_lock_options() {
  lock::AcquireOptions options;
  options.ttl = 5s;
  options.wait = 5s;
  options.retry = 500ms;
  return options;
}

DistributedStrategies::DistributedStrategies(const ServeConfig& config, redis::Client& redis,
                                             boost::asio::any_io_executor executor,
                                             redis::ConnectionOptions options,
                                             store::postgres::PgPool& pg) {
  const bool locks = config.sale_strategy == "lock" || config.reminder_strategy == "lock";
  if (locks) {
    lock_service_ = std::make_unique<coordinator::redis::RedisLockService>(
        redis, std::move(executor), std::move(options));
    lock_ = std::make_unique<lock::DistributedLock>(*lock_service_);
  }
  if (config.sale_strategy != "lua") {
    db_gate_ = std::make_unique<store::postgres::PgStockGate>(pg);
  }
  if (config.sale_strategy == "lock") {
    locked_gate_ =
        std::make_unique<lock::LockedStockGate>(*db_gate_, *lock_, strategy_lock_options());
  }
  if (config.reminder_strategy == "lock") {
    ledger_ = std::make_unique<store::postgres::PgFencedReminderLedger>(pg);
    window_cache_ = std::make_unique<coordinator::redis::RedisUserWindowCache>(redis);
    locked_reminders_ = std::make_unique<lock::LockedReminderGate>(
        *lock_, *ledger_, *window_cache_,
        remind::ReminderWindows{config.reminder_window, config.reminder_user_window},
        strategy_lock_options());
  }
}

sale::StockGate& DistributedStrategies::sale_gate(sale::StockGate& lua) {
  if (locked_gate_) return *locked_gate_;
  if (db_gate_) return *db_gate_;
  return lua;
}

remind::ReminderGate& DistributedStrategies::reminder_gate(remind::ReminderGate& lua) {
  if (locked_reminders_) return *locked_reminders_;
  return lua;
}

void DistributedStrategies::start() {
  if (lock_service_) lock_service_->start();
}

void DistributedStrategies::stop() {
  if (lock_service_) lock_service_->close();
}

}  // namespace seckill::app
