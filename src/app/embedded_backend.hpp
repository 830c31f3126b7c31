#pragma once
// The embedded mode: no servers at all. SQLite in --data DIR is the system of record, and the
// coordinator lives in this process's memory, rebuilt from the store at start. A purchase (a
// reminder) is answered only after its order (its event) is committed, so `kill -9` loses
// nothing that was promised. There are no queues and no background writers.

#include <memory>

#include "app/backend.hpp"
#include "app/config.hpp"
#include "app/embedded_strategies.hpp"
#include "app/io_threads.hpp"
#include "coordinator/embedded/embedded_id_source.hpp"
#include "coordinator/embedded/embedded_reminder_gate.hpp"
#include "coordinator/embedded/embedded_stock_gate.hpp"
#include "coordinator/embedded/in_process_rate_limiter.hpp"
#include "remind/reminder_service.hpp"
#include "sale/sale_service.hpp"
#include "store/sqlite/sqlite_database.hpp"
#include "store/sqlite/sqlite_reminder_records.hpp"
#include "store/sqlite/sqlite_revocations.hpp"
#include "store/sqlite/sqlite_sale_store.hpp"

namespace seckill::app {

class EmbeddedBackend final : public Backend {
 public:
  /// Opens (or creates) the store in `config.data_dir` and rebuilds the coordinator from it.
  /// Blocking: call before the I/O threads run. Throws InfraError naming the path when the
  /// directory cannot be used or the file is not a seckill store (nothing is overwritten).
  EmbeddedBackend(const ServeConfig& config, IoThreads& threads);
  ~EmbeddedBackend() override;

  void add_routes(http::Router& router) override;
  std::vector<http::NamedProbe> readiness_probes() override;
  void start(std::function<void()> ready) override;
  void stop(std::function<void()> done) override;
  ratelimit::RateLimiter& rate_limiter() override { return rate_limiter_; }
  sale::SaleService* sale_service() override { return &sale_; }
  remind::ReminderService* reminder_service() override { return &reminders_; }
  auth::RevocationStore* revocations() override { return &revocations_; }
  void write_metrics(std::string& out) override;

 private:
  /// Before the database that reports to it.
  metrics::BackendCalls calls_;
  store::sqlite::SqliteDatabase db_;
  store::sqlite::SqliteSaleStore store_;
  coordinator::embedded::EmbeddedStockGate gate_;
  /// The gates of `--sale-strategy` / `--reminder-strategy` other than lua (issue #6).
  EmbeddedStrategies strategies_;
  coordinator::embedded::EmbeddedIdSource ids_;
  sale::SaleService sale_;
  store::sqlite::SqliteReminderRecords reminder_records_;
  coordinator::embedded::EmbeddedReminderGate reminder_gate_;
  remind::ReminderService reminders_;
  coordinator::embedded::InProcessRateLimiter rate_limiter_;
  /// Kept in the store, checked in memory (sqlite_revocations.hpp).
  store::sqlite::SqliteRevocations revocations_;
};

}  // namespace seckill::app
