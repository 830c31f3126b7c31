#pragma once
// What `serve` needs of a mode (distributed: Redis + PostgreSQL; embedded: SQLite + in-process
// coordination): its routes, its readiness probes, and a start and a stop.

#include <functional>
#include <string>
#include <vector>

#include "auth/revocation_store.hpp"
#include "http/health.hpp"
#include "http/router.hpp"
#include "ratelimit/rate_limiter.hpp"
#include "remind/reminder_service.hpp"
#include "sale/sale_service.hpp"

namespace seckill::app {

class Backend {
 public:
  virtual ~Backend() = default;

  /// Adds the API routes (vouchers, orders, reminders) served by this mode.
  virtual void add_routes(http::Router& router) = 0;
  virtual std::vector<http::NamedProbe> readiness_probes() = 0;
  /// Figures /readyz reports without failing on them (the dead letters waiting).
  virtual std::vector<http::NamedReport> readiness_reports() { return {}; }
  /// Once the I/O threads run: gets ready (connections, first ids, background writers), then
  /// calls `ready` (which starts accepting).
  virtual void start(std::function<void()> ready) = 0;
  /// After the server stopped: finishes background work; `done` runs once it has.
  virtual void stop(std::function<void()> done) = 0;
  /// Where this mode keeps rate-limit buckets (used only with --rate-limit-* flags).
  virtual ratelimit::RateLimiter& rate_limiter() = 0;

  /// The use cases this mode runs, for the operations views (/metrics, the dashboard's feed).
  virtual sale::SaleService* sale_service() { return nullptr; }
  virtual remind::ReminderService* reminder_service() { return nullptr; }
  /// Where token revocations are kept (null: none in this mode).
  virtual auth::RevocationStore* revocations() { return nullptr; }
  /// Appends this mode's own metric families (its backends' calls, writers, dead letters) in
  /// the Prometheus text format. Called on an I/O thread; must not block.
  virtual void write_metrics(std::string& out) { (void)out; }
};

}  // namespace seckill::app
