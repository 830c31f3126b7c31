
#include <map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/logging.hpp"
#include "app/offline_redis.hpp"
#include "coordinator/redis/remind_keys.hpp"
#include "coordinator/redis/sale_keys.hpp"
#include "coordinator/redis/stock_buckets_audit.hpp"
#include "core/decimal.hpp"
#include "core/infra_error.hpp"
#include "redis/client.hpp"
#include "sale/sale_audit.hpp"
#include "store/postgres/pg_connection.hpp"

namespace seckill::app {

namespace asio = boost::asio;
using coordinator::redis::BucketState;
using coordinator::redis::SaleKeys;

namespace {

// How long `check` waits for decided orders to reach the store before it compares.
constexpr auto kDrainWait = std::chrono::seconds(30);

std::uint64_t parse_u64(std::string_view text) {
  auto v = parse_decimal<std::uint64_t>(text);
  if (!v) throw ProtocolError(fmt::format("'{}' is not an id", text));
  return *v;
}

std::vector<sale::StoreView> read_store(const std::string& conninfo) {
  store::postgres::PgConnectOptions options;
  options.conninfo = conninfo;
  auto c = store::postgres::PgConnection::connect(options);
  // One snapshot for every voucher and order.
  return c.transaction([](store::postgres::PgConnection& tx) {
    tx.exec("set transaction isolation level repeatable read");
    std::map<std::uint64_t, sale::StoreView> views;
    auto vouchers = tx.exec("select id, stock_total, stock_left from vouchers order by id");
    for (int r = 0; r < vouchers.rows(); ++r) {
      auto id = vouchers.id(r, 0);
      views[id] = sale::StoreView{id, vouchers.int64(r, 1), vouchers.int64(r, 2), {}};
    }
    auto orders = tx.exec("select voucher_id, user_id, id from orders");
    for (int r = 0; r < orders.rows(); ++r) {
      views[orders.id(r, 0)].orders[orders.id(r, 1)] = orders.id(r, 2);
    }
    std::vector<sale::StoreView> out;
    for (auto& [id, view] : views)
      out.push_back(std::move(view));
    return out;
  });
}

// Every voucher's buckets (--stock-buckets): 0..K-1, K being the largest registered + 1; a
// voucher never registered (never sold) has bucket 0 only.
asio::awaitable<std::map<std::uint64_t, unsigned>> bucket_counts(
    redis::Client& client, const std::vector<std::uint64_t>& ids) {
  auto reply = co_await client.command({"SMEMBERS", coordinator::redis::kVoucherSetKey});
  std::vector<std::string> members;
  for (const auto& m : reply.elements())
    members.emplace_back(m.as_string());
  auto registered = coordinator::redis::registered_buckets(members);
  std::map<std::uint64_t, unsigned> out;
  for (auto id : ids) {
    auto it = registered.find(id);
    out[id] = it == registered.end() ? 1u : it->second.back() + 1;
  }
  co_return out;
}

asio::awaitable<std::uint64_t> queued(redis::Client& client,
                                      const std::map<std::uint64_t, unsigned>& buckets) {
  std::uint64_t total = 0;
  for (const auto& [id, count] : buckets) {
    for (unsigned b = 0; b < count; ++b) {
      SaleKeys keys(id, b);
      total +=
          static_cast<std::uint64_t>((co_await client.command({"XLEN", keys.orders})).as_integer());
    }
  }
  co_return total;
}

asio::awaitable<BucketState> read_bucket(redis::Client& client, std::uint64_t id, unsigned bucket) {
  SaleKeys keys(id, bucket);
  BucketState state;
  state.bucket = bucket;
  auto stock = co_await client.command({"GET", keys.stock});
  if (!stock.is_nil()) {
    auto n = parse_decimal<std::int64_t>(stock.as_string());
    if (!n) throw ProtocolError(fmt::format("{} is not a number", keys.stock));
    state.stock_left = *n;
  }
  auto buyers = co_await client.command({"HGETALL", keys.buyers});
  auto fields = buyers.elements();
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    state.buyers[parse_u64(fields[i].as_string())] = parse_u64(fields[i + 1].as_string());
  }
  state.queued =
      static_cast<std::uint64_t>((co_await client.command({"XLEN", keys.orders})).as_integer());
  co_return state;
}

asio::awaitable<int> check(redis::Client& client, std::string conninfo) {
  co_await client.connect();
  // The voucher ids come from the store, their buckets from Redis; wait for the queues of every
  // bucket to drain first.
  auto first = read_store(conninfo);
  std::vector<std::uint64_t> ids;
  for (const auto& v : first)
    ids.push_back(v.voucher_id);
  auto buckets = co_await bucket_counts(client, ids);
  auto deadline = std::chrono::steady_clock::now() + kDrainWait;
  while (co_await queued(client, buckets) > 0 && std::chrono::steady_clock::now() < deadline) {
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(200));
    co_await t.async_wait(asio::use_awaitable);
  }
  auto store_views = read_store(conninfo);
  // Vouchers created while waiting: their buckets too.
  ids.clear();
  for (const auto& v : store_views)
    ids.push_back(v.voucher_id);
  buckets = co_await bucket_counts(client, ids);
  std::vector<std::string> differences;
  std::size_t split = 0;
  for (const auto& s : store_views) {
    const unsigned count = buckets[s.voucher_id];
    if (count > 1) ++split;
    std::vector<BucketState> states;
    for (unsigned b = 0; b < count; ++b)
      states.push_back(co_await read_bucket(client, s.voucher_id, b));
    auto combined = coordinator::redis::combine_buckets(s.voucher_id, count, states);
    auto found = sale::audit(s, combined.view);
    differences.insert(differences.end(), combined.differences.begin(), combined.differences.end());
    differences.insert(differences.end(), found.begin(), found.end());
  }
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
  for (const auto& d : differences)
    fmt::print("DIFFERENCE {}\n", d);
  fmt::print("checked {} vouchers{}: {}\n", store_views.size(),
             split == 0 ? "" : fmt::format(" ({} split over stock buckets)", split),
             differences.empty() ? "coordinator and store agree"
                                 : fmt::format("{} differences", differences.size()));
  co_return differences.empty() ? 0 : 1;
}

}  // namespace

int run_check(const CheckConfig& config) {
  setup_logging(config.log_level);
  if (config.redis_urls.empty() || config.postgres_url.empty()) {
    fmt::print(stderr,
               "seckill check: give --redis and --postgres (the embedded mode is not "
               "built yet)\n");
    return 2;
  }
  auto options = offline_redis_options(config.redis_urls, config.redis_sentinel_password);
  if (!options) {
    fmt::print(stderr, "seckill check: {}\n", options.error());
    return 2;
  }
  asio::io_context io;
  redis::Client client(io, *options);
  return run_to_exit_code(io, client, check(client, config.postgres_url), "check");
}

}  // namespace seckill::app
