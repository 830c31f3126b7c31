#pragma once
// The distributed mode's parts wired together: Redis decides, PostgreSQL records, and an order
// writer and a reminder writer in this instance move decided orders and accepted reminders from
// one to the other.

#include <functional>
#include <memory>
#include <vector>

#include "app/backend.hpp"
#include "app/config.hpp"
#include "app/distributed_strategies.hpp"
#include "app/io_threads.hpp"
#include "app/pg_reminder_records.hpp"
#include "coordinator/redis/dead_letter_count.hpp"
#include "coordinator/redis/redis_order_queue.hpp"
#include "coordinator/redis/redis_rate_limiter.hpp"
#include "coordinator/redis/redis_reminder_gate.hpp"
#include "coordinator/redis/redis_reminder_queue.hpp"
#include "coordinator/redis/redis_revocations.hpp"
#include "coordinator/redis/redis_stock_gate.hpp"
#include "http/health.hpp"
#include "id/id_generator.hpp"
#include "redis/client.hpp"
#include "redis/subscriber.hpp"
#include "remind/reminder_service.hpp"
#include "remind/reminder_writer.hpp"
#include "sale/order_writer.hpp"
#include "sale/sale_service.hpp"
#include "store/postgres/pg_pool.hpp"
#include "store/postgres/pg_sale_store.hpp"

namespace seckill::app {

/// The process's ids, from the shared per-day counter in Redis.
class GeneratorIdSource final : public IdSource {
 public:
  explicit GeneratorIdSource(id::IdGenerator& generator) : generator_(generator) {}
  boost::asio::awaitable<std::uint64_t> next_id() override;

 private:
  id::IdGenerator& generator_;
};

class DistributedBackend final : public Backend {
 public:
  /// Applies the schema (blocking: call before the I/O threads run) and builds every part.
  /// Throws std::invalid_argument for a malformed URL (naming the flag), InfraError when
  /// PostgreSQL cannot be reached to migrate.
  DistributedBackend(const ServeConfig& config, IoThreads& threads);
  ~DistributedBackend() override;

  void add_routes(http::Router& router) override;
  std::vector<http::NamedProbe> readiness_probes() override;
  std::vector<http::NamedReport> readiness_reports() override;

  /// Once the I/O threads run: connects to Redis and takes a first block of ids (bounded
  /// waits; a backend that is down is retried in the background and requests get 503 until it
  /// answers), starts the order and reminder writers, then calls `ready` (e.g. to start
  /// accepting).
  void start(std::function<void()> ready) override;
  /// Stops both writers after the batch in hand; `done` runs once both have.
  void stop(std::function<void()> done) override;
  ratelimit::RateLimiter& rate_limiter() override { return rate_limiter_; }
  sale::SaleService* sale_service() override { return &sale_; }
  remind::ReminderService* reminder_service() override { return &reminders_; }
  auth::RevocationStore* revocations() override { return &revocations_; }
  void write_metrics(std::string& out) override;

 private:
  boost::asio::awaitable<void> warm_up();
  /// On the first I/O thread: one writer has returned; `done` runs after the last.
  void writer_finished();
  /// A message on the sale's channels: a voucher sold out, or its sale ended early.
  void heard(std::string_view channel, std::string_view payload);

  IoThreads& threads_;
  /// Before the clients that report to it.
  metrics::BackendCalls calls_;
  redis::Client redis_;
  store::postgres::PgPool pg_;
  store::postgres::PgSaleStore store_;
  std::unique_ptr<id::IdGenerator> generator_;
  GeneratorIdSource ids_;
  coordinator::redis::RedisStockGate gate_;
  /// The gates of `--sale-strategy` / `--reminder-strategy` other than lua (issue #6).
  DistributedStrategies strategies_;
  sale::SaleService sale_;
  coordinator::redis::RedisOrderQueue queue_;
  sale::OrderWriter writer_;
  PgReminderRecords reminder_records_;
  coordinator::redis::RedisReminderGate reminder_gate_;
  remind::ReminderService reminders_;
  coordinator::redis::RedisReminderQueue reminder_queue_;
  remind::ReminderWriter reminder_writer_;
  /// Hears "voucher sold out" from the other instances, so they too answer without Redis.
  redis::Subscriber sold_out_subscriber_;
  std::function<void()> on_writers_done_;
  // Touched only on the first I/O thread (the writers run there; stop() posts there).
  int writers_running_ = 0;
  coordinator::redis::RedisRateLimiter rate_limiter_{redis_};
  /// Shared through Redis, polled every second (issue #17).
  coordinator::redis::RedisRevocations revocations_{redis_};
  coordinator::redis::DeadLetterWatch dead_letters_{redis_};
};

}  // namespace seckill::app
