#include "app/embedded_backend.hpp"

#include <spdlog/spdlog.h>

#include "api/remind_routes.hpp"
#include "api/sale_routes.hpp"
#include "metrics/text_format.hpp"

namespace seckill::app {

namespace {

store::sqlite::SqliteDatabaseOptions database_options(const ServeConfig& config,
                                                      metrics::BackendCalls* calls = nullptr) {
  store::sqlite::SqliteDatabaseOptions options;
  options.calls = calls;
  options.data_dir = config.data_dir;
  return options;
}

}  // namespace

EmbeddedBackend::EmbeddedBackend(const ServeConfig& config, IoThreads& threads)
    : db_(database_options(config, &calls_)),
      store_(db_),
      gate_(store_),
      strategies_(config, db_),
      ids_(threads.first().get_executor(), store_.max_id_now()),
      sale_(strategies_.sale_gate(gate_), store_, ids_,
            [] { return std::chrono::system_clock::now(); }),
      reminder_records_(db_),
      reminder_gate_(reminder_records_,
                     remind::ReminderWindows{config.reminder_window, config.reminder_user_window}),
      reminders_(
          strategies_.reminder_gate(reminder_gate_), reminder_records_, ids_,
          [] { return std::chrono::system_clock::now(); }, config.reminder_sla),
      revocations_(db_) {
  auto views = store_.store_views_now();
  gate_.restore(views);
  // Only records this recent can still be open or hold a user's window.
  auto since =
      std::chrono::system_clock::now() - config.reminder_window - config.reminder_user_window;
  auto records = reminder_records_.records_since_now(since);
  reminder_gate_.restore(records);
  spdlog::info(
      "embedded store {}/seckill.db: {} vouchers, {} recent reminder records, {} revocations "
      "restored",
      config.data_dir, views.size(), records.size(), revocations_.local().size());
}

EmbeddedBackend::~EmbeddedBackend() {
  db_.stop();
}

void EmbeddedBackend::add_routes(http::Router& router) {
  api::add_sale_routes(router, sale_);
  api::add_remind_routes(router, reminders_);
}

std::vector<http::NamedProbe> EmbeddedBackend::readiness_probes() {
  return {};
}

void EmbeddedBackend::start(std::function<void()> ready) {
  ready();
}

void EmbeddedBackend::stop(std::function<void()> done) {
  // Every write answered so far is committed; queued ones are committed by db_.stop().
  done();
}

void EmbeddedBackend::write_metrics(std::string& out) {
  calls_.write(out);
  auto stats = db_.writer_stats();
  metrics::write_family(out, "seckill_sqlite_commits_total", "counter",
                        "Transactions the embedded store committed (each a group of writes).");
  metrics::write_sample(out, "seckill_sqlite_commits_total", "", stats.commits);
  metrics::write_family(
      out, "seckill_sqlite_writes_total", "counter",
      "Writes committed in those transactions (writes per commit: the group size).");
  metrics::write_sample(out, "seckill_sqlite_writes_total", "", stats.writes);
}

}  // namespace seckill::app
