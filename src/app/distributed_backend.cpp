#include "app/distributed_backend.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/remind_routes.hpp"
#include "api/sale_routes.hpp"
#include "app/writer_metrics.hpp"
#include "coordinator/redis/redis_id_counter.hpp"
#include "coordinator/redis/sale_keys.hpp"
#include "core/decimal.hpp"
#include "core/infra_error.hpp"
#include "id/counter_sequence_source.hpp"
#include "id/id_layout.hpp"
#include "metrics/text_format.hpp"
#include "redis/auth_error.hpp"
#include "redis/probe.hpp"
#include "redis/redis_url.hpp"
#include "redis/tls_context.hpp"
#include "store/postgres/migrations.hpp"
#include "store/postgres/pg_error.hpp"
#include "store/postgres/stored_ids.hpp"

namespace seckill::app {

namespace asio = boost::asio;

namespace {

// PostgreSQL connections per instance (one thread each).
constexpr std::size_t kPgConnections = 4;

redis::ClientOptions redis_options(const ServeConfig& config,
                                   metrics::BackendCalls* calls = nullptr) {
  auto url = redis::parse_redis_url(config.redis_urls.front());
  if (!url) throw std::invalid_argument("--redis: " + url.error());
  if (url->sentinel()) url->sentinel_password = config.redis_sentinel_password;
  redis::ClientOptions options;
  options.connection.endpoint = *url;
  options.calls = calls;
  options.connection.tls_context = redis::tls_context_for(
      url->tls, redis::TlsFiles{config.redis_tls_ca, config.redis_tls_cert, config.redis_tls_key});
  // Several URLs: a Redis Cluster seed list (the pub/sub subscriber uses the first: PUBLISH
  // reaches every node of a cluster).
  if (config.redis_urls.size() > 1) {
    for (const auto& text : config.redis_urls) {
      auto seed = redis::parse_redis_url(text);
      if (!seed) throw std::invalid_argument("--redis: " + seed.error());
      options.cluster_seeds.push_back(*seed);
    }
  }
  return options;
}

// The options, after a first look at Redis: refused credentials are a configuration mistake
// (std::invalid_argument: `serve` exits 2 naming --redis); a Redis that does not answer yet is
// not (serve starts, answers 503 and keeps trying).
redis::ClientOptions checked_redis_options(const ServeConfig& config,
                                           metrics::BackendCalls* calls) {
  redis::ClientOptions options = redis_options(config, calls);
  std::vector<redis::RedisUrl> nodes = options.cluster_seeds;
  if (nodes.empty()) nodes.push_back(options.connection.endpoint);
  for (const auto& node : nodes) {
    redis::ConnectionOptions probe_options = options.connection;
    probe_options.endpoint = node;
    try {
      redis::probe(probe_options);
      return options;
    } catch (const redis::AuthError& e) {
      throw std::invalid_argument(fmt::format("--redis {}: {}", redis::to_string(node), e.what()));
    } catch (const InfraError& e) {
      spdlog::warn("--redis {}: {}", redis::to_string(node), e.what());
    }
  }
  return options;
}

// Migrates first: `serve` applies the schema at start, safely when many instances start at once.
store::postgres::PgPoolOptions migrated_pg_options(const ServeConfig& config,
                                                   metrics::BackendCalls* calls = nullptr) {
  try {
    store::postgres::migrate(config.postgres_url);
  } catch (const store::postgres::PgRefusedError& e) {
    // A wrong password or certificate: exit 2 (serve). Not the URL: a password may be in it.
    throw std::invalid_argument(fmt::format("--postgres: {}", e.what()));
  }
  store::postgres::PgPoolOptions options;
  options.calls = calls;
  options.connect.conninfo = config.postgres_url;
  options.size = kPgConnections;
  return options;
}

// A backlog of orders (a sale faster than one commit after the other) drains with this many
// batches in their transactions at once (bench/sale/drain.sh measures it); the pool keeps a
// connection for the reminder writer and the reads of the request path.
delivery::BatchWriterOptions order_writer_options() {
  delivery::BatchWriterOptions options;
  options.in_flight = kPgConnections - 1;
  return options;
}

asio::awaitable<bool> redis_answers(redis::Client& client) {
  auto reply = co_await client.command({"PING"});
  co_return reply.is_status();
}

asio::awaitable<bool> postgres_answers(store::postgres::PgPool& pool) {
  co_await pool.run([](store::postgres::PgConnection& c) { c.exec("select 1"); });
  co_return true;
}

// For seeding a missing id counter: the store's largest sequence number of `day`.
asio::awaitable<std::uint64_t> stored_sequence(store::postgres::PgPool& pool, std::string day) {
  auto range = id::ids_of_day(day);
  if (!range) throw ProtocolError("not a day: " + day);
  auto job = [range = *range](store::postgres::PgConnection& c) {
    return store::postgres::largest_sequence(c, range.first, range.end);
  };
  co_return co_await pool.run(std::move(job));
}

// Best effort: an instance that misses it learns "sold out" from its next call to Redis.
asio::awaitable<void> announce_sold_out(redis::Client& client, std::uint64_t voucher_id) {
  try {
    auto id = std::to_string(voucher_id);
    co_await client.command({"PUBLISH", coordinator::redis::kSoldOutChannel, id});
  } catch (const InfraError& e) {
    spdlog::warn("could not announce that voucher {} sold out: {}", voucher_id, e.what());
  }
}

// Best effort, as announce_sold_out, but with no second chance: an instance whose subscriber is
// reconnecting at that moment keeps the window it cached (it still answers `ended` once the
// original end_at passes).
asio::awaitable<void> announce_ended(redis::Client& client, std::uint64_t voucher_id,
                                     SysTime end_at) {
  try {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(end_at.time_since_epoch());
    auto payload = fmt::format("{}:{}", voucher_id, micros.count());
    co_await client.command({"PUBLISH", coordinator::redis::kEndedChannel, payload});
  } catch (const InfraError& e) {
    spdlog::warn("could not announce that the sale of voucher {} ended: {}", voucher_id, e.what());
  }
}

}  // namespace

void DistributedBackend::heard(std::string_view channel, std::string_view payload) {
  if (channel == coordinator::redis::kEndedChannel) {
    auto colon = payload.find(':');
    if (colon == std::string_view::npos) return;
    auto id = parse_decimal<std::uint64_t>(payload.substr(0, colon));
    auto micros = parse_decimal<std::int64_t>(payload.substr(colon + 1));
    if (id && micros) {
      sale_.cache().mark_ended(*id, SysTime(std::chrono::microseconds(*micros)));
    }
    return;
  }
  if (auto id = parse_decimal<std::uint64_t>(payload)) sale_.cache().mark_sold_out(*id);
}

asio::awaitable<std::uint64_t> GeneratorIdSource::next_id() {
  if (auto id = generator_.try_next()) co_return *id;
  co_return co_await generator_.next();
}

DistributedBackend::DistributedBackend(const ServeConfig& config, IoThreads& threads)
    : threads_(threads),
      redis_(threads.contexts(), checked_redis_options(config, &calls_)),
      pg_(migrated_pg_options(config, &calls_)),
      store_(pg_),
      generator_(std::make_unique<id::IdGenerator>(
          threads.first().get_executor(),
          std::make_shared<id::CounterSequenceSource>(
              "global",
              coordinator::redis::redis_reserve_above(
                  redis_, redis::AckReplicas{config.redis_ack_replicas, config.redis_ack_timeout}),
              [this](std::string day) { return stored_sequence(pg_, std::move(day)); }))),
      ids_(*generator_),
      gate_(redis_, redis::AckReplicas{config.redis_ack_replicas, config.redis_ack_timeout},
            config.stock_buckets),
      strategies_(config, redis_, threads.first().get_executor(), redis_options(config).connection,
                  pg_),
      sale_(strategies_.sale_gate(gate_), store_, ids_,
            [] { return std::chrono::system_clock::now(); }),
      queue_(redis_, coordinator::redis::unique_consumer_name(),
             redis::AckReplicas{config.redis_ack_replicas, config.redis_ack_timeout}),
      writer_(queue_, store_, order_writer_options()),
      reminder_records_(pg_),
      reminder_gate_(redis_,
                     remind::ReminderWindows{config.reminder_window, config.reminder_user_window}),
      reminders_(
          strategies_.reminder_gate(reminder_gate_), reminder_records_, ids_,
          [] { return std::chrono::system_clock::now(); }, config.reminder_sla),
      reminder_queue_(redis_, coordinator::redis::unique_consumer_name()),
      reminder_writer_(reminder_queue_, reminder_records_),
      sold_out_subscriber_(
          threads.first().get_executor(), redis_options(config).connection,
          [this](std::string_view channel, std::string_view payload) { heard(channel, payload); }) {
  sold_out_subscriber_.subscribe(coordinator::redis::kSoldOutChannel);
  sold_out_subscriber_.subscribe(coordinator::redis::kEndedChannel);
  sale_.on_sold_out([this](std::uint64_t voucher_id) {
    asio::co_spawn(threads_.first(), announce_sold_out(redis_, voucher_id), asio::detached);
  });
  sale_.on_ended([this](std::uint64_t voucher_id, SysTime end_at) {
    asio::co_spawn(threads_.first(), announce_ended(redis_, voucher_id, end_at), asio::detached);
  });
  spdlog::info("PostgreSQL schema is up to date; writer consumers {} (orders), {} (reminders)",
               queue_.consumer(), reminder_queue_.consumer());
}

DistributedBackend::~DistributedBackend() = default;

void DistributedBackend::add_routes(http::Router& router) {
  api::add_sale_routes(router, sale_);
  api::add_remind_routes(router, reminders_);
}

std::vector<http::NamedProbe> DistributedBackend::readiness_probes() {
  return {{"redis", [this] { return redis_answers(redis_); }},
          {"postgres", [this] { return postgres_answers(pg_); }}};
}

// A dead letter does not fail readiness: the instance serves as well as any other, and taking
// every instance out of the balancer would turn one refused entry into an outage. It is reported
// here, in the seckill_dead_letters gauge, and by `seckill check`.
std::vector<http::NamedReport> DistributedBackend::readiness_reports() {
  return {{"dead_letters", [this]() -> boost::json::value {
             if (!dead_letters_.known()) return nullptr;
             auto counts = dead_letters_.counts();
             return boost::json::object{{"orders", counts.orders}, {"reminders", counts.reminders}};
           }}};
}

asio::awaitable<void> DistributedBackend::warm_up() {
  try {
    co_await redis_.connect();
  } catch (const InfraError& e) {
    spdlog::warn("Redis is not answering yet ({}); requests get 503 until it does", e.what());
    redis_.start();
    co_return;
  }
  // The first block of ids is fetched in the background; wait for it (briefly) so the first
  // purchases do not see the fetch that raced the connection.
  asio::steady_timer pause(co_await asio::this_coro::executor);
  for (int attempt = 0; attempt < 40; ++attempt) {
    try {
      co_await ids_.next_id();
      co_return;
    } catch (const InfraError&) {
      // retried below: no co_await inside a handler
    }
    pause.expires_after(std::chrono::milliseconds(50));
    co_await pause.async_wait(asio::use_awaitable);
  }
  spdlog::warn("no block of ids from Redis yet; purchases get 503 until there is one");
}

void DistributedBackend::start(std::function<void()> ready) {
  asio::co_spawn(threads_.first(), warm_up(), [this, ready = std::move(ready)](std::exception_ptr) {
    sold_out_subscriber_.start();
    strategies_.start();
    asio::co_spawn(threads_.first(), revocations_.run(), asio::detached);
    asio::co_spawn(threads_.first(), dead_letters_.run(), asio::detached);
    writers_running_ = 2;
    asio::co_spawn(threads_.first(), writer_.run(),
                   [this](std::exception_ptr) { writer_finished(); });
    asio::co_spawn(threads_.first(), reminder_writer_.run(),
                   [this](std::exception_ptr) { writer_finished(); });
    ready();
  });
}

void DistributedBackend::writer_finished() {
  if (--writers_running_ == 0 && on_writers_done_) on_writers_done_();
}

void DistributedBackend::stop(std::function<void()> done) {
  asio::post(threads_.first(), [this, done = std::move(done)]() mutable {
    // Stopped first in any case, so writers that start after this (stop before start finished)
    // return at once.
    writer_.stop();
    reminder_writer_.stop();
    sold_out_subscriber_.close();
    strategies_.stop();
    revocations_.stop();
    dead_letters_.stop();
    if (writers_running_ == 0) {
      done();
      return;
    }
    on_writers_done_ = std::move(done);
  });
}

void DistributedBackend::write_metrics(std::string& out) {
  calls_.write(out);
  write_writer_metrics(out, "order", writer_.stats(), "reminder", reminder_writer_.stats());
  if (dead_letters_.known()) {
    auto counts = dead_letters_.counts();
    metrics::write_family(out, "seckill_dead_letters", "gauge",
                          "Entries the store refused for good, waiting in the dead streams "
                          "(all instances; `seckill dead-letters list`), by kind.");
    metrics::write_sample(out, "seckill_dead_letters", metrics::label("kind", "orders"),
                          counts.orders);
    metrics::write_sample(out, "seckill_dead_letters", metrics::label("kind", "reminders"),
                          counts.reminders);
  }
}

}  // namespace seckill::app
