// The flash sale across several `seckill serve` processes sharing one Redis and one PostgreSQL:
// exactly the stock sold, one order per user, every 201 stored, also through faults.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "support/test_env.hpp"
#include "system/seckill_cluster.hpp"

using namespace seckill::testing;

namespace {

struct SaleOutcome {
  std::mutex mutex;
  std::map<std::string, std::uint64_t> orders;  // order id -> user
  std::map<std::string, int> codes;             // error code -> count
  std::atomic<int> created{0};
  std::atomic<int> unanswered{0};
};

// `users` users from `first_user`, each trying `attempts` times, spread over the instances, from
// `threads` client threads at once.
void run_crowd(SeckillCluster& cluster, const std::string& voucher, std::uint64_t first_user,
               int users, int attempts, SaleOutcome& out, int threads = 48) {
  std::atomic<int> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::vector<HttpClient> clients;
      for (int i = 0; i < cluster.size(); ++i)
        clients.push_back(cluster.client(i));
      for (;;) {
        int n = next.fetch_add(1);
        if (n >= users * attempts) return;
        std::uint64_t user = first_user + static_cast<std::uint64_t>(n % users);
        auto& client = clients[static_cast<std::size_t>((n + t) % cluster.size())];
        auto answer = client.request("POST", fmt::format("/api/v1/vouchers/{}/orders", voucher),
                                     token_for(user));
        std::lock_guard lock(out.mutex);
        if (answer.status == 201) {
          out.created++;
          out.orders[std::string(answer.json().as_object().at("order_id").as_string())] = user;
        } else if (answer.status == 0) {
          out.unanswered++;
        } else {
          out.codes[answer.error_code()]++;
        }
      }
    });
  }
  for (auto& w : workers)
    w.join();
}

void expect_every_promise_stored(const SeckillCluster& cluster, const SaleOutcome& out,
                                 const std::string& voucher) {
  auto column =
      cluster.store_column(fmt::format("select id from orders where voucher_id = {}", voucher));
  std::set<std::string> stored(column.begin(), column.end());
  for (const auto& [id, user] : out.orders) {
    EXPECT_TRUE(stored.contains(id)) << "order " << id << " of user " << user << " was promised "
                                     << "(201) but is not in PostgreSQL";
  }
}

// The behaviour a client sees is the same in both modes: these run against each.
// And under every --sale-strategy (issue #6): the same behaviour whoever decides.
class SaleBothModes : public ::testing::TestWithParam<std::tuple<Mode, std::string>> {
 protected:
  Mode mode() const { return std::get<0>(GetParam()); }
  // Embedded: one instance (the store belongs to one process).
  int instances(int distributed) const { return mode() == Mode::embedded ? 1 : distributed; }
  bool distributed() const { return uses_postgres(mode()); }
  std::vector<std::string> flags() const { return {"--sale-strategy", std::get<1>(GetParam())}; }
  /// `seckill check` audits Redis against PostgreSQL: it has something to audit only when Redis
  /// decides (lua).
  bool audited() const { return distributed() && std::get<1>(GetParam()) == "lua"; }

  void SetUp() override { started_ = std::chrono::system_clock::now(); }
  // Vouchers sold without Redis have orders Redis never saw, which `seckill check` in any later
  // test of this run would report: they go once the test is over.
  void TearDown() override {
    if (!distributed() || audited()) return;
    auto since = std::chrono::duration_cast<std::chrono::seconds>(started_.time_since_epoch());
    auto sql = fmt::format(
        "delete from orders where voucher_id in (select id from vouchers where created_at >= "
        "to_timestamp({0})); delete from vouchers where created_at >= to_timestamp({0})",
        since.count() - 2);
    PGconn* c = PQconnectdb(postgres_url().c_str());
    PGresult* r = PQexec(c, sql.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
  }

  std::chrono::system_clock::time_point started_;
};

std::string mode_name(const ::testing::TestParamInfo<std::tuple<Mode, std::string>>& info) {
  return std::string(mode_label(std::get<0>(info.param))) + "_" + std::get<1>(info.param);
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Modes, SaleBothModes,
                         ::testing::Combine(::testing::Values(Mode::distributed, Mode::embedded),
                                            ::testing::Values("lua", "db", "lock")),
                         mode_name);
// The same on the Redis Cluster, with the coordinator's scripts deciding.
INSTANTIATE_TEST_SUITE_P(Cluster, SaleBothModes,
                         ::testing::Combine(::testing::Values(Mode::cluster),
                                            ::testing::Values("lua")),
                         mode_name);

TEST_P(SaleBothModes, ManyInstancesSellExactlyTheStockOncePerUser) {
  SeckillCluster cluster(instances(3), flags(), mode());
  auto client = cluster.client(0);
  auto voucher = create_voucher(client, 100);
  SaleOutcome out;
  run_crowd(cluster, voucher, 100'000, 2000, 3, out);

  EXPECT_EQ(out.created.load(), 100);
  EXPECT_EQ(out.unanswered.load(), 0);
  std::set<std::uint64_t> buyers;
  for (const auto& [id, user] : out.orders)
    EXPECT_TRUE(buyers.insert(user).second) << user;
  EXPECT_EQ(out.codes["sold_out"] + out.codes["already_ordered"], 2000 * 3 - 100);

  auto count_sql = fmt::format("select count(*) from orders where voucher_id = {}", voucher);
  EXPECT_EQ(cluster.wait_for_store(count_sql, "100", 20), "100");
  EXPECT_EQ(cluster.store_value(fmt::format(
                "select count(distinct user_id) from orders where voucher_id = {}", voucher)),
            "100");
  EXPECT_EQ(
      cluster.store_value(fmt::format("select stock_left from vouchers where id = {}", voucher)),
      "0");
  expect_every_promise_stored(cluster, out, voucher);
  if (audited()) {
    EXPECT_EQ(SeckillCluster::check(mode()), 0);
  }

  // Reads: the voucher shows no stock left; an order is confirmed for its user only.
  auto v = client.request("GET", "/api/v1/vouchers/" + voucher, token_for(5));
  ASSERT_EQ(v.status, 200);
  EXPECT_EQ(v.json().as_object().at("stock_left").as_int64(), 0);
  EXPECT_EQ(v.json().as_object().at("id").as_string(), voucher);
  const auto& [order_id, owner] = *out.orders.begin();
  auto mine = client.request("GET", "/api/v1/orders/" + order_id, token_for(owner));
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(mine.json().as_object().at("status").as_string(), "confirmed");
  EXPECT_EQ(mine.json().as_object().at("user_id").as_string(), std::to_string(owner));
  EXPECT_EQ(client.request("GET", "/api/v1/orders/" + order_id, token_for(owner + 1)).status, 404);
  EXPECT_EQ(client.request("GET", "/api/v1/orders/" + order_id, token_for(9, "admin")).status, 200);
}

TEST_P(SaleBothModes, StockLargerThanTheCrowdGivesEveryUserOne) {
  SeckillCluster cluster(instances(3), flags(), mode());
  auto client = cluster.client(cluster.size() - 1);
  auto voucher = create_voucher(client, 5000);
  SaleOutcome out;
  run_crowd(cluster, voucher, 200'000, 1000, 3, out);
  EXPECT_EQ(out.created.load(), 1000);
  EXPECT_EQ(out.codes["already_ordered"], 2000);
  EXPECT_EQ(cluster.wait_for_store(
                fmt::format("select stock_left from vouchers where id = {}", voucher), "4000", 20),
            "4000");
  expect_every_promise_stored(cluster, out, voucher);
  if (audited()) {
    EXPECT_EQ(SeckillCluster::check(mode()), 0);
  }
}

namespace {

// `redis-cli -c` on the mode's Redis (the cluster's first seed: -c follows redirections); the
// last line of its output.
std::string redis_cli(Mode mode, const std::string& args) {
  auto url = redis_url();
  if (mode == Mode::cluster) {
    url = redis_cluster_urls();
    url = url.substr(0, url.find(','));
  }
  auto cmd = fmt::format("redis-cli -c -u '{}' {} 2>&1", url, args);
  std::string out;
  if (FILE* pipe = popen(cmd.c_str(), "r")) {
    char line[512];
    while (fgets(line, sizeof line, pipe) != nullptr)
      out = line;
    pclose(pipe);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}

std::string check_log() {
  std::ifstream in("/tmp/seckill-check.log");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

constexpr unsigned kBuckets = 4;

// The Redis key of bucket `b` of a voucher (sale_keys.hpp): bucket 0 is the voucher's own.
std::string bucket_key(const std::string& voucher, unsigned b, const std::string& what) {
  return b == 0 ? fmt::format("'{{v:{}}}:{}'", voucher, what)
                : fmt::format("'{{v:{}:{}}}:{}'", voucher, b, what);
}

class SaleBuckets : public ::testing::TestWithParam<Mode> {
 protected:
  Mode mode() const { return GetParam(); }
};

std::string bucket_mode_name(const ::testing::TestParamInfo<Mode>& info) {
  return mode_label(info.param);
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Modes, SaleBuckets, ::testing::Values(Mode::distributed, Mode::cluster),
                         bucket_mode_name);

// --stock-buckets over several instances: exactly the stock sold, once per user, every promise
// stored, and `seckill check` audits every bucket: it passes, and fails on what an audit of
// bucket 0 alone cannot see (a mark moved out of its home bucket, a unit added to bucket 3).
TEST_P(SaleBuckets, BucketedSaleOverSeveralInstancesPassesCheck) {
  SeckillCluster cluster(3, {"--stock-buckets", std::to_string(kBuckets)}, mode());
  auto client = cluster.client(0);
  auto scarce = create_voucher(client, 100);  // sells out: dry home buckets borrow
  auto plenty = create_voucher(client, 5000);
  SaleOutcome a, b;
  run_crowd(cluster, scarce, 500'000, 2000, 3, a);
  run_crowd(cluster, plenty, 600'000, 1000, 2, b);

  EXPECT_EQ(a.created.load(), 100);
  EXPECT_EQ(b.created.load(), 1000);
  EXPECT_EQ(a.unanswered.load() + b.unanswered.load(), 0);
  EXPECT_EQ(a.codes["sold_out"] + a.codes["already_ordered"], 2000 * 3 - 100);
  EXPECT_EQ(b.codes["already_ordered"], 1000);
  for (auto* out : {&a, &b}) {
    std::set<std::uint64_t> buyers;
    for (const auto& [id, user] : out->orders)
      EXPECT_TRUE(buyers.insert(user).second) << user;
  }
  auto count_sql = [](const std::string& v) {
    return fmt::format("select count(*) from orders where voucher_id = {}", v);
  };
  EXPECT_EQ(cluster.wait_for_store(count_sql(scarce), "100", 20), "100");
  EXPECT_EQ(cluster.wait_for_store(count_sql(plenty), "1000", 20), "1000");
  expect_every_promise_stored(cluster, a, scarce);
  expect_every_promise_stored(cluster, b, plenty);
  // Every bucket of each voucher is registered and holds stock.
  for (const auto* v : {&scarce, &plenty}) {
    for (unsigned k = 1; k < kBuckets; ++k) {
      EXPECT_EQ(redis_cli(mode(), fmt::format("SISMEMBER seckill:vouchers {}:{}", *v, k)), "1");
    }
  }
  ASSERT_EQ(SeckillCluster::check(mode()), 0) << check_log();
  EXPECT_NE(check_log().find("split over stock buckets"), std::string::npos) << check_log();

  // A buyer's mark moved from their home bucket to the next: the sums still agree.
  const auto& [order_id, user] = *b.orders.begin();
  unsigned home = kBuckets;
  for (unsigned k = 0; k < kBuckets && home == kBuckets; ++k) {
    if (redis_cli(mode(), fmt::format("HGET {} {}", bucket_key(plenty, k, "buyers"), user)) ==
        order_id)
      home = k;
  }
  ASSERT_LT(home, kBuckets) << "no bucket holds the mark of user " << user;
  const unsigned away = (home + 1) % kBuckets;
  auto move_mark = [&](unsigned from, unsigned to) {
    redis_cli(mode(), fmt::format("HDEL {} {}", bucket_key(plenty, from, "buyers"), user));
    redis_cli(mode(),
              fmt::format("HSET {} {} {}", bucket_key(plenty, to, "buyers"), user, order_id));
  };
  move_mark(home, away);
  EXPECT_EQ(SeckillCluster::check(mode()), 1);
  EXPECT_NE(check_log().find(fmt::format("home bucket is {}", home)), std::string::npos)
      << check_log();
  move_mark(away, home);
  EXPECT_EQ(SeckillCluster::check(mode()), 0) << check_log();

  // One unit more in bucket 3 of the sold-out voucher.
  redis_cli(mode(), "INCR " + bucket_key(scarce, 3, "stock"));
  EXPECT_EQ(SeckillCluster::check(mode()), 1);
  EXPECT_NE(check_log().find("coordinator stock 1 != store stock_left 0"), std::string::npos)
      << check_log();
  redis_cli(mode(), "DECR " + bucket_key(scarce, 3, "stock"));
  EXPECT_EQ(SeckillCluster::check(mode()), 0) << check_log();
}

TEST(SaleSystem, AnInstanceKilledMidSaleLosesNoPromisedOrder) {
  SeckillCluster cluster(3, {});
  auto client = cluster.client(0);
  auto voucher = create_voucher(client, 600);
  SaleOutcome out;
  std::thread crowd([&] { run_crowd(cluster, voucher, 300'000, 6000, 1, out, 24); });
  // Kill while the sale is on: after the first orders, well before the stock is gone.
  for (int i = 0; i < 2000 && out.created.load() < 60; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  cluster.process(2).kill_hard();
  int at_kill = out.created.load();
  crowd.join();
  // The killed instance's pending entries are claimed by another after the claim idle time.
  EXPECT_LT(at_kill, 600) << "the kill came after the sale";
  // Every unit is sold. Requests in flight to the killed instance may have been decided without
  // their answer reaching the client (an unknown outcome, never a refusal): those orders are
  // stored too, so the store holds the 201s plus at most the unanswered requests.
  auto count_sql = fmt::format("select count(*) from orders where voucher_id = {}", voucher);
  EXPECT_EQ(cluster.wait_for_store(count_sql, "600", 30), "600");
  EXPECT_LE(600 - out.created.load(), out.unanswered.load());
  expect_every_promise_stored(cluster, out, voucher);
  EXPECT_EQ(SeckillCluster::check(), 0);
}

TEST(SaleSystem, PostgresDownDuringTheSaleLosesAndDoublesNothing) {
  SeckillCluster cluster(2);
  auto client = cluster.client(0);
  auto voucher = create_voucher(client, 300);
  // Warm every instance's voucher cache while PostgreSQL is up.
  for (int i = 0; i < cluster.size(); ++i) {
    auto c = cluster.client(i);
    ASSERT_EQ(c.request("GET", "/api/v1/vouchers/" + voucher, token_for(2)).status, 200);
  }
  auto services = std::string(std::getenv("SECKILL_TEST_SERVICES_DIR"));
  ASSERT_EQ(std::system(("scripts/services pg-stop " + services).c_str()), 0);
  SaleOutcome out;
  run_crowd(cluster, voucher, 400'000, 500, 2, out, 16);
  // Orders are still taken: Redis holds them until PostgreSQL is back.
  EXPECT_EQ(out.created.load(), 300);
  auto ready = client.request("GET", "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("postgres"), std::string::npos) << ready.body;
  ASSERT_EQ(std::system(("scripts/services pg-start " + services).c_str()), 0);
  auto count_sql = fmt::format("select count(*) from orders where voucher_id = {}", voucher);
  EXPECT_EQ(cluster.wait_for_store(count_sql, "300", 40), "300");
  expect_every_promise_stored(cluster, out, voucher);
  EXPECT_EQ(SeckillCluster::check(), 0);
}

TEST_P(SaleBothModes, EveryErrorOfThePurchasePath) {
  SeckillCluster cluster(1, flags(), mode());
  auto client = cluster.client(0);
  auto path = [](const std::string& v) { return "/api/v1/vouchers/" + v + "/orders"; };

  auto later = create_voucher(client, 10, 3600, 7200);
  auto a = client.request("POST", path(later), token_for(7));
  EXPECT_EQ(a.status, 409);
  EXPECT_EQ(a.error_code(), "not_started");

  auto over = create_voucher(client, 10, -7200, -3600);
  a = client.request("POST", path(over), token_for(7));
  EXPECT_EQ(a.status, 409);
  EXPECT_EQ(a.error_code(), "ended");

  auto one = create_voucher(client, 1);
  EXPECT_EQ(client.request("POST", path(one), token_for(7)).status, 201);
  a = client.request("POST", path(one), token_for(7));
  EXPECT_EQ(a.status, 409);
  EXPECT_EQ(a.error_code(), "already_ordered");
  a = client.request("POST", path(one), token_for(8));
  EXPECT_EQ(a.status, 409);
  EXPECT_EQ(a.error_code(), "sold_out");

  a = client.request("POST", path("999999999"), token_for(7));
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.error_code(), "not_found");
  a = client.request("POST", path("abc"), token_for(7));
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.error_code(), "bad_request");
  a = client.request("POST", path(one));
  EXPECT_EQ(a.status, 401);
  EXPECT_EQ(a.error_code(), "unauthorized");
  a = client.request("POST", path(one), "not-a-token");
  EXPECT_EQ(a.status, 401);

  // Creating vouchers: admins only, every field checked.
  auto body =
      R"({"title":"t","stock":5,"begin_at":"2026-01-01T00:00:00Z","end_at":"2027-01-01T00:00:00Z"})";
  a = client.request("POST", "/api/v1/vouchers", token_for(7), body);
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.error_code(), "forbidden");
  for (
      const char* bad :
      {"", "{", "[]", R"({"title":"t"})",
       R"({"title":1,"stock":5,"begin_at":"2026-01-01T00:00:00Z","end_at":"2027-01-01T00:00:00Z"})",
       R"({"title":"t","stock":0,"begin_at":"2026-01-01T00:00:00Z","end_at":"2027-01-01T00:00:00Z"})",
       R"({"title":"t","stock":1000000001,"begin_at":"2026-01-01T00:00:00Z","end_at":"2027-01-01T00:00:00Z"})",
       R"({"title":"t","stock":5.5,"begin_at":"2026-01-01T00:00:00Z","end_at":"2027-01-01T00:00:00Z"})",
       R"({"title":"t","stock":"5","begin_at":"2026-01-01T00:00:00Z","end_at":"2027-01-01T00:00:00Z"})",
       R"({"title":"t","stock":5,"begin_at":"yesterday","end_at":"2027-01-01T00:00:00Z"})",
       R"({"title":"t","stock":5,"begin_at":"2027-01-01T00:00:00Z","end_at":"2026-01-01T00:00:00Z"})"}) {
    a = client.request("POST", "/api/v1/vouchers", token_for(1, "admin"), bad);
    EXPECT_EQ(a.status, 400) << bad;
    EXPECT_EQ(a.error_code(), "bad_request") << bad;
  }
  a = client.request("GET", "/api/v1/vouchers/999999999", token_for(7));
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.error_code(), "not_found");
  a = client.request("GET", "/api/v1/orders/999999999", token_for(7));
  EXPECT_EQ(a.status, 404);
}

TEST(SaleSystem, RedisDownAnswers503AndTakesNothing) {
  // A voucher created while everything is up, in the shared store.
  SeckillCluster healthy(1);
  auto healthy_client = healthy.client(0);
  auto voucher = create_voucher(healthy_client, 5);
  // An instance pointed at a Redis that does not answer.
  auto dead = free_port();
  auto port = free_port();
  ChildProcess server(
      {seckill_binary(), "serve", "--listen", fmt::format("127.0.0.1:{}", port), "--redis",
       fmt::format("redis://127.0.0.1:{}", dead), "--postgres", postgres_url(), "--jwt-secret",
       kTestJwtSecret, "--threads", "1", "--log-level", "error"},
      "/tmp/seckill-systest-redis-down.log");
  wait_for_port(port);
  HttpClient client("127.0.0.1", port);
  const auto title = fmt::format("redis-down-{}", free_port());
  auto a =
      client.request("POST", "/api/v1/vouchers", token_for(1, "admin"),
                     fmt::format(R"({{"title":"{}","stock":5,"begin_at":"2026-01-01T00:00:00Z",)"
                                 R"("end_at":"2099-01-01T00:00:00Z"}})",
                                 title));
  EXPECT_EQ(a.status, 503) << a.body;
  EXPECT_EQ(a.error_code(), "unavailable");
  // Purchases of a voucher that exists: refused, and nothing taken.
  for (std::uint64_t user = 710'000; user < 710'010; ++user) {
    a = client.request("POST", fmt::format("/api/v1/vouchers/{}/orders", voucher), token_for(user));
    EXPECT_EQ(a.status, 503) << a.body;
    EXPECT_EQ(a.error_code(), "unavailable");
  }
  auto ready = client.request("GET", "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("redis"), std::string::npos) << ready.body;
  EXPECT_EQ(client.request("GET", "/healthz").status, 200);
  // The store: no order, the stock whole, no voucher created by the refused request.
  EXPECT_EQ(healthy.store_value(
                fmt::format("select count(*) from orders where voucher_id = {}", voucher)),
            "0");
  EXPECT_EQ(
      healthy.store_value(fmt::format("select stock_left from vouchers where id = {}", voucher)),
      "5");
  EXPECT_EQ(
      healthy.store_value(fmt::format("select count(*) from vouchers where title = '{}'", title)),
      "0");
  // And Redis agrees: the voucher's stock is whole, nobody is marked as a buyer.
  auto still = healthy_client.request("GET", "/api/v1/vouchers/" + voucher, token_for(3));
  ASSERT_EQ(still.status, 200) << still.body;
  EXPECT_EQ(still.json().as_object().at("stock_left").as_int64(), 5);
  EXPECT_EQ(SeckillCluster::check(), 0);
}

TEST(SaleEmbedded, KillNineMidSaleLosesNoPromiseAndIdsContinueUpward) {
  SeckillCluster cluster(1, {}, Mode::embedded);
  auto client = cluster.client(0);
  auto voucher = create_voucher(client, 800);
  SaleOutcome out;
  std::thread crowd([&] { run_crowd(cluster, voucher, 500'000, 4000, 1, out, 32); });
  for (int i = 0; i < 3000 && out.created.load() < 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  cluster.process(0).kill_hard();
  crowd.join();
  ASSERT_GT(out.created.load(), 0);
  ASSERT_LT(out.created.load(), 800) << "the kill came after the sale";
  cluster.restart_hard(0);
  // Every 201 was committed before it was answered: all there at once, no writer to wait for.
  expect_every_promise_stored(cluster, out, voucher);
  auto stored = std::stoll(cluster.store_value(
      fmt::format("select count(*) from orders where voucher_id = {}", voucher)));
  EXPECT_LE(stored - out.created.load(), out.unanswered.load());
  // Stock is right after the restart, and the sale goes on exactly.
  auto left = std::stoll(
      cluster.store_value(fmt::format("select stock_left from vouchers where id = {}", voucher)));
  EXPECT_EQ(left + stored, 800);
  std::string max_before = cluster.store_value("select max(id) from orders");
  auto answer = client.request("POST", fmt::format("/api/v1/vouchers/{}/orders", voucher),
                               token_for(999'999));
  ASSERT_EQ(answer.status, 201) << answer.body;
  auto new_id = std::string(answer.json().as_object().at("order_id").as_string());
  EXPECT_EQ(answer.json().as_object().at("status").as_string(), "confirmed");
  EXPECT_GT(std::stoull(new_id), std::stoull(max_before)) << "ids continue upward";
  auto v = client.request("GET", "/api/v1/vouchers/" + voucher, token_for(5));
  EXPECT_EQ(v.json().as_object().at("stock_left").as_int64(), left - 1);
}

TEST(SaleEmbedded, AnUnusableDataDirectoryIsAClearErrorAndNothingIsOverwritten) {
  char pattern[] = "/tmp/seckill-corrupt-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  std::string dir = pattern;
  {
    std::FILE* f = std::fopen((dir + "/seckill.db").c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not a database, and it must stay as it is", f);
    std::fclose(f);
  }
  auto run = [](const std::string& data) {
    auto cmd = fmt::format(
        "'{}' serve --listen 127.0.0.1:{} --data '{}' --jwt-secret {} "
        ">/tmp/seckill-corrupt.log 2>&1",
        seckill_binary(), free_port(), data, kTestJwtSecret);
    int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  EXPECT_EQ(run(dir), 1);
  std::ifstream in(dir + "/seckill.db");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "this is not a database, and it must stay as it is");
  EXPECT_EQ(run(dir + "/seckill.db/sub"), 1) << "a path under a regular file";
  std::filesystem::remove_all(dir);
}

namespace {

// Waits until `path` contains `text` or `timeout`; true if it does.
bool wait_for_text(const std::string& path, const std::string& text,
                   std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::ifstream in(path);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (content.find(text) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

TEST(SaleSystem, SoldOutSpreadsToOtherInstancesWithoutRedisRoundTrips) {
  SeckillCluster cluster(2);
  auto first = cluster.client(0);
  auto second = cluster.client(1);
  auto voucher = create_voucher(first, 1);
  // The second instance knows the voucher (its metadata is cached) but has not sold any.
  ASSERT_EQ(second.request("GET", "/api/v1/vouchers/" + voucher, token_for(3)).status, 200);
  // A subscriber of the test's own on the announcement channel (seckill:sold-out,
  // src/coordinator/redis/sale_keys.hpp): Redis sends the announcement to every subscriber at
  // once, so once the test has it, so has the second instance.
  const auto heard = fmt::format("/tmp/seckill-sold-out-{}-{}.txt", ::getpid(), voucher);
  std::filesystem::remove(heard);
  ChildProcess listener(
      {"stdbuf", "-oL", "redis-cli", "-u", redis_url(), "subscribe", "seckill:sold-out"}, heard);
  ASSERT_TRUE(wait_for_text(heard, "subscribe\nseckill:sold-out\n1", std::chrono::seconds(10)))
      << "the test's subscriber did not subscribe";
  auto buyer =
      first.request("POST", fmt::format("/api/v1/vouchers/{}/orders", voucher), token_for(700'001));
  ASSERT_EQ(buyer.status, 201);
  ASSERT_TRUE(wait_for_text(heard, "message\nseckill:sold-out\n" + voucher + "\n",
                            std::chrono::seconds(10)))
      << "sold out was never announced";
  listener.kill_hard();
  std::filesystem::remove(heard);
  // Every command Redis runs from now on, scripts' own calls included ("[0 lua] ..."), until a
  // marker the test sends after the last purchase.
  const auto monitored = fmt::format("/tmp/seckill-monitor-{}-{}.txt", ::getpid(), voucher);
  std::filesystem::remove(monitored);
  ChildProcess monitor({"stdbuf", "-oL", "redis-cli", "-u", redis_url(), "monitor"}, monitored);
  ASSERT_TRUE(wait_for_text(monitored, "OK\n", std::chrono::seconds(10)));
  for (std::uint64_t user = 700'100; user < 700'150; ++user) {
    auto a =
        second.request("POST", fmt::format("/api/v1/vouchers/{}/orders", voucher), token_for(user));
    EXPECT_EQ(a.error_code(), "sold_out");
  }
  auto a = second.request("POST", fmt::format("/api/v1/vouchers/{}/orders", voucher),
                          token_for(700'001));
  EXPECT_EQ(a.error_code(), "already_ordered") << "the buyer is told the truth";
  const auto marker = fmt::format("sold-out-test-marker-{}", voucher);
  ASSERT_EQ(std::system(
                fmt::format("redis-cli -u '{}' echo '{}' >/dev/null", redis_url(), marker).c_str()),
            0);
  ASSERT_TRUE(wait_for_text(monitored, marker, std::chrono::seconds(10)));
  monitor.kill_hard();
  // The voucher's stock key is read by the take script only (take_order.lua): a sold-out answer
  // that ran it would show here. Background work (the order writer's acknowledgement) touches
  // the stream, not the stock.
  std::ifstream in(monitored);
  std::string line, seen;
  const auto stock_key = fmt::format("\"{{v:{}}}:stock\"", voucher);
  int touched = 0;
  while (std::getline(in, line)) {
    if (line.find(stock_key) != std::string::npos && ++touched <= 5) seen += line + "\n";
  }
  in.close();
  std::filesystem::remove(monitored);
  EXPECT_EQ(touched, 0) << "sold-out answers ran the take script in Redis:\n" << seen;
}

// A client that lost its 201 asks again and learns which order it holds (CONTRACT.md,
// "Errors"): from the coordinator while stock is left, and from the sold-out path after.
TEST_P(SaleBothModes, AlreadyOrderedNamesTheOrderTheCallerHolds) {
  SeckillCluster cluster(1, flags(), mode());
  auto client = cluster.client(0);
  auto voucher = create_voucher(client, 2);
  auto path = fmt::format("/api/v1/vouchers/{}/orders", voucher);
  auto bought = client.request("POST", path, token_for(7));
  ASSERT_EQ(bought.status, 201) << bought.body;
  auto held = std::string(bought.json().as_object().at("order_id").as_string());
  auto again = client.request("POST", path, token_for(7));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.error_code(), "already_ordered");
  EXPECT_EQ(again.json().as_object().at("error").as_object().at("order_id").as_string(), held)
      << again.body;
  ASSERT_EQ(client.request("POST", path, token_for(8)).status, 201);
  EXPECT_EQ(client.request("POST", path, token_for(9)).error_code(), "sold_out");
  auto after = client.request("POST", path, token_for(7));
  EXPECT_EQ(after.error_code(), "already_ordered");
  EXPECT_EQ(after.json().as_object().at("error").as_object().at("order_id").as_string(), held)
      << after.body;
}

// Issue #15: a dead letter is a promise the store refused. `seckill check` reports it and
// exits non-zero until it is dealt with; `seckill dead-letters list` shows it and `replay`
// writes it to the store (idempotently) and takes it off the dead stream.
TEST(SaleSystem, DeadLettersAreReportedListedAndReplayed) {
  SeckillCluster cluster(1);
  auto client = cluster.client(0);
  auto voucher = create_voucher(client, 3);
  auto bought =
      client.request("POST", fmt::format("/api/v1/vouchers/{}/orders", voucher), token_for(61));
  ASSERT_EQ(bought.status, 201);
  auto order = std::string(bought.json().as_object().at("order_id").as_string());
  ASSERT_EQ(cluster.wait_for_store(
                fmt::format("select count(*) from orders where voucher_id = {}", voucher), "1", 20),
            "1");
  EXPECT_EQ(SeckillCluster::check(), 0) << check_log();
  // The order as a writer dead-letters it (redis_order_queue.cpp), here one already stored.
  // --voucher keeps the verbs to this voucher: the shared Redis may hold other tests' letters.
  auto dead = fmt::format("'{{v:{}}}:orders:dead'", voucher);
  auto entry = redis_cli(Mode::distributed,
                         fmt::format("xadd {} '*' o {} u 61 v {} t 1700000000000 reason refused",
                                     dead, order, voucher));
  ASSERT_FALSE(entry.empty());
  EXPECT_NE(SeckillCluster::check(), 0) << "a dead letter went unreported";
  EXPECT_NE(check_log().find("dead letters"), std::string::npos) << check_log();
  auto verb = [&](const char* what) {
    auto cmd = fmt::format(
        "'{}' dead-letters {} --voucher {} --redis '{}' --postgres '{}' "
        ">/tmp/seckill-dead.log 2>&1",
        seckill_binary(), what, voucher, redis_url(), postgres_url());
    int status = std::system(cmd.c_str());
    std::ifstream in("/tmp/seckill-dead.log");
    auto out = std::string(std::istreambuf_iterator<char>(in), {});
    return std::make_pair(WIFEXITED(status) ? WEXITSTATUS(status) : -1, out);
  };
  auto [listed, list_out] = verb("list");
  EXPECT_EQ(listed, 0) << list_out;
  EXPECT_NE(list_out.find("order " + order), std::string::npos) << list_out;
  auto [replayed, replay_out] = verb("replay");
  EXPECT_EQ(replayed, 0) << replay_out;
  EXPECT_NE(replay_out.find("1 replayed, 0 kept"), std::string::npos) << replay_out;
  EXPECT_EQ(redis_cli(Mode::distributed, fmt::format("xlen {}", dead)), "0");
  EXPECT_EQ(SeckillCluster::check(), 0) << check_log();
}
