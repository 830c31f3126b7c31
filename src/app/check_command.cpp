
#include <filesystem>
#include <map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/logging.hpp"
#include "app/offline_redis.hpp"
#include "coordinator/redis/coordinator_audit_reads.hpp"
#include "coordinator/redis/remind_keys.hpp"
#include "coordinator/redis/sale_keys.hpp"
#include "coordinator/redis/stock_buckets_audit.hpp"
#include "core/infra_error.hpp"
#include "redis/client.hpp"
#include "remind/reminder_audit.hpp"
#include "sale/sale_audit.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/store_audit.hpp"
#include "store/sqlite/sqlite_database.hpp"
#include "store/sqlite/store_audit.hpp"

namespace seckill::app {

namespace asio = boost::asio;
using coordinator::redis::BucketState;
using coordinator::redis::SaleKeys;

namespace {

// How long `check` waits for decided orders to reach the store before it compares.
constexpr auto kDrainWait = std::chrono::seconds(30);

store::postgres::PgConnection connect_store(const std::string& conninfo) {
  store::postgres::PgConnectOptions options;
  options.conninfo = conninfo;
  return store::postgres::PgConnection::connect(options);
}

std::vector<std::uint64_t> voucher_ids(const std::vector<sale::StoreView>& views) {
  std::vector<std::uint64_t> ids;
  ids.reserve(views.size());
  for (const auto& v : views)
    ids.push_back(v.voucher_id);
  return ids;
}

void append(std::vector<std::string>& to, const std::vector<std::string>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

// Prints the findings and the summary; the exit code.
int report(const std::vector<std::string>& differences, std::size_t vouchers, std::size_t reminders,
           const std::string& note) {
  for (const auto& d : differences)
    fmt::print("DIFFERENCE {}\n", d);
  fmt::print("checked {} vouchers and {} reminder records{}: {}\n", vouchers, reminders, note,
             differences.empty() ? "coordinator and store agree"
                                 : fmt::format("{} differences", differences.size()));
  return differences.empty() ? 0 : 1;
}

asio::awaitable<int> check(redis::Client& client, CheckConfig config) {
  co_await client.connect();
  auto store = connect_store(config.postgres_url);
  const bool lua_sale = config.sale_strategy == "lua";
  const bool lua_reminders = config.reminder_strategy == "lua";
  // The voucher ids come from the store, their buckets from Redis; wait for the queues of every
  // bucket, and the reminder streams, to drain first.
  auto buckets = co_await coordinator::redis::bucket_counts(
      client, voucher_ids(store::postgres::select_audit_vouchers(store)));
  auto deadline = std::chrono::steady_clock::now() + kDrainWait;
  while ((co_await coordinator::redis::queued_orders(client, buckets) > 0 ||
          co_await coordinator::redis::queued_reminders(client) > 0) &&
         std::chrono::steady_clock::now() < deadline) {
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(200));
    co_await t.async_wait(asio::use_awaitable);
  }
  auto store_views = store::postgres::select_audit_vouchers(store);
  // Vouchers created while waiting: their buckets too.
  buckets = co_await coordinator::redis::bucket_counts(client, voucher_ids(store_views));
  std::vector<std::string> differences;
  std::size_t split = 0;
  for (const auto& s : store_views) {
    if (!lua_sale) {
      // db, lock: the store decides (under a lock): its own rules are all there is to check.
      append(differences, sale::audit_store(s));
      continue;
    }
    const unsigned count = buckets[s.voucher_id];
    if (count > 1) ++split;
    std::vector<BucketState> states;
    for (unsigned b = 0; b < count; ++b)
      states.push_back(co_await coordinator::redis::read_bucket(client, s.voucher_id, b));
    auto combined = coordinator::redis::combine_buckets(s.voucher_id, count, states);
    append(differences, combined.differences);
    append(differences, sale::audit(s, combined.view));
  }
  // The coordinator first, then the store: a record the coordinator points at was stored before
  // it was read (the streams drained above).
  remind::CoordinatorReminders coordinator_reminders;
  if (lua_reminders) coordinator_reminders = co_await coordinator::redis::read_reminders(client);
  auto records = store::postgres::select_audit_reminders(store);
  append(differences, lua_reminders ? remind::audit(records, coordinator_reminders)
                                    : remind::audit_store(records));
  // Dead letters are promises the store refused: never "agree" while any is left (issue #15).
  std::vector<std::string> dead_streams{"seckill:orders:dead"};
  for (const auto& [id, count] : buckets) {
    for (unsigned b = 0; b < count; ++b)
      dead_streams.push_back(SaleKeys(id, b).dead);
  }
  for (const auto& stream : coordinator::redis::reminder_streams())
    dead_streams.push_back(stream + ":dead");
  for (const auto& stream : dead_streams) {
    auto dead = (co_await client.command({"XLEN", stream})).as_integer();
    if (dead > 0) {
      differences.push_back(
          fmt::format("{} dead letters in {} (seckill dead-letters list)", dead, stream));
    }
  }
  co_return report(differences, store_views.size(), records.size(),
                   split == 0 ? "" : fmt::format(" ({} split over stock buckets)", split));
}

// The embedded mode, offline: the store's own rules over a --data directory no `serve` holds
// (the embedded coordinator lives in that process's memory, gone once it stops).
int check_embedded(const CheckConfig& config) {
  const std::filesystem::path dir = config.data_dir;
  if (!std::filesystem::exists(dir / "seckill.db")) {
    fmt::print(stderr, "seckill check: --data {}: no embedded store there ({} is missing)\n",
               dir.string(), (dir / "seckill.db").string());
    return 2;
  }
  std::vector<sale::StoreView> vouchers;
  std::vector<remind::StoredReminder> records;
  try {
    // Takes <data_dir>/seckill.lock: refused while a `serve` holds the store.
    store::sqlite::SqliteDatabase db(store::sqlite::SqliteDatabaseOptions{
        .data_dir = dir, .readers = 1, .max_group = 1, .max_queue = 16, .calls = nullptr});
    vouchers = db.read_now(
        [](store::sqlite::SqliteConnection& c) { return store::sqlite::select_audit_vouchers(c); });
    records = db.read_now([](store::sqlite::SqliteConnection& c) {
      return store::sqlite::select_audit_reminders(c);
    });
  } catch (const std::exception& e) {
    fmt::print(stderr,
               "seckill check: --data {}: {} (the embedded store is checked offline: stop the "
               "serve that holds it first)\n",
               dir.string(), e.what());
    return 2;
  }
  std::vector<std::string> differences;
  for (const auto& v : vouchers)
    append(differences, sale::audit_store(v));
  append(differences, remind::audit_store(records));
  return report(differences, vouchers.size(), records.size(), " (embedded store, offline)");
}

}  // namespace

int run_check(const CheckConfig& config) {
  setup_logging(config.log_level);
  if (config.redis_urls.empty() && config.postgres_url.empty()) return check_embedded(config);
  if (config.redis_urls.empty() || config.postgres_url.empty()) {
    fmt::print(stderr,
               "seckill check: give --redis and --postgres (distributed), or neither and --data "
               "DIR (the embedded store, offline)\n");
    return 2;
  }
  auto options = offline_redis_options(
      config.redis_urls, config.redis_sentinel_password,
      redis::TlsFiles{config.redis_tls_ca, config.redis_tls_cert, config.redis_tls_key});
  if (!options) {
    fmt::print(stderr, "seckill check: {}\n", options.error());
    return 2;
  }
  asio::io_context io;
  redis::Client client(io, *options);
  return run_to_exit_code(io, client, check(client, config), "check");
}

}  // namespace seckill::app
