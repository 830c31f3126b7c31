// A Redis Cluster master killed in the middle of a sale, on a private cluster (3 masters, 3
// replicas, scripts/redis-cluster): the replica takes over and the sale goes on. What
// asynchronous replication can lose is measured and printed (docs/scaling.md quotes it); with
// --redis-ack-replicas 1 nothing answered 201 may be lost, which is asserted.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <signal.h>
#include <sstream>
#include <thread>
#include <tuple>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "support/test_env.hpp"
#include "system/seckill_cluster.hpp"

using namespace seckill::testing;
using Clock = std::chrono::steady_clock;

namespace {

std::string shell(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(command.c_str(), "r"), &pclose);
  if (!pipe) throw std::runtime_error("popen failed: " + command);
  std::array<char, 4096> buffer{};
  while (auto n = fread(buffer.data(), 1, buffer.size(), pipe.get()))
    out.append(buffer.data(), n);
  return out;
}

// A cluster of its own: killing one of its masters disturbs no other test.
class PrivateCluster {
 public:
  PrivateCluster() {
    char pattern[] = "/tmp/seckill-failover-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    seeds_ = shell("scripts/redis-cluster start " + dir_);
    while (!seeds_.empty() && (seeds_.back() == '\n' || seeds_.back() == ' '))
      seeds_.pop_back();
    if (seeds_.find("redis://") == std::string::npos) throw std::runtime_error("no cluster");
    port_ = static_cast<unsigned short>(std::stoi(seeds_.substr(seeds_.rfind(':') + 1)));
  }
  ~PrivateCluster() {
    shell("scripts/redis-cluster stop " + dir_);
    shell("rm -rf " + dir_);
  }
  const std::string& seeds() const { return seeds_; }
  /// Starts the node of `port` again: it rejoins as a replica of whoever took over.
  void revive(unsigned short port) const {
    shell(fmt::format("scripts/redis-cluster revive {} {}", dir_, port));
  }

  // The ports of the master serving `key` and of its replica.
  std::pair<unsigned short, unsigned short> master_and_replica(const std::string& key) const {
    auto slot = std::stoi(shell(fmt::format("redis-cli -p {} cluster keyslot '{}'", port_, key)));
    std::istringstream nodes(shell(fmt::format("redis-cli -p {} cluster nodes", port_)));
    std::string line, master_id;
    unsigned short master = 0, replica = 0;
    std::vector<std::string> lines;
    while (std::getline(nodes, line))
      lines.push_back(line);
    for (const auto& l : lines) {
      std::istringstream in(l);
      std::string id, address, flags, of, ping, pong, epoch, state, range;
      in >> id >> address >> flags >> of >> ping >> pong >> epoch >> state;
      if (flags.find("master") == std::string::npos) continue;
      while (in >> range) {
        auto dash = range.find('-');
        int first = std::stoi(range.substr(0, dash));
        int last = dash == std::string::npos ? first : std::stoi(range.substr(dash + 1));
        if (slot >= first && slot <= last) {
          master_id = id;
          master = port_of(address);
        }
      }
    }
    for (const auto& l : lines) {
      std::istringstream in(l);
      std::string id, address, flags, of;
      in >> id >> address >> flags >> of;
      if (of == master_id) replica = port_of(address);
    }
    return {master, replica};
  }

  static int pid_of(unsigned short port) {
    return std::stoi(
        shell(fmt::format("redis-cli -p {} info server | grep process_id | cut -d: -f2", port)));
  }

 private:
  static unsigned short port_of(const std::string& address) {
    auto colon = address.find(':');
    return static_cast<unsigned short>(std::stoi(address.substr(colon + 1)));
  }
  std::string dir_;
  std::string seeds_;
  unsigned short port_ = 0;
};

struct FailoverOutcome {
  int promised = 0;        // 201s
  int lost = 0;            // 201s whose order never reached PostgreSQL
  long long stored = 0;    // orders of the voucher in PostgreSQL
  int unavailable = 0;     // 503s
  double outage_s = 0;     // the longest time without a 201 after the kill
  bool took_over = false;  // the replica answered ROLE as master
  int after_takeover = 0;  // 201s to requests sent after the replica took over
  bool sold_out = false;   // a purchase was answered sold_out before the 30 s ran out
  int distinct_ids = 0;    // distinct order ids among the 201s
  int in_cut_window = 0;   // 201s answered while the replica's link was cut, before the kill
};

// Distinct users buy once each, from 16 client threads over two instances; after a tenth of the
// stock is sold the master serving the voucher is killed (SIGKILL), and started again 4 s later
// (it rejoins as a replica of the node that took over, as an operator would do). With
// `stall_replica` the replication link is cut 300 ms before the kill: on loopback replication is
// otherwise too quick to lose anything, while a replica that lost its link (a network blip, a
// slow full resync) leaves writes on the master only — the window asynchronous replication
// leaves open.
FailoverOutcome sale_with_failover(bool ack, bool stall_replica, long long stock) {
  PrivateCluster redis;
  ::setenv("SECKILL_TEST_REDIS_CLUSTER_URLS", redis.seeds().c_str(), 1);
  std::vector<std::string> flags;
  if (ack) flags = {"--redis-ack-replicas", "1", "--redis-ack-timeout", "200ms"};
  SeckillCluster cluster(2, flags, Mode::cluster);
  auto admin = cluster.client(0);
  auto voucher = create_voucher(admin, stock);
  // A fresh cluster may take a moment to show every replica in CLUSTER NODES.
  auto [master, replica] = redis.master_and_replica("{v:" + voucher + "}");
  for (int i = 0; i < 50 && (master == 0 || replica == 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::tie(master, replica) = redis.master_and_replica("{v:" + voucher + "}");
  }
  if (master == 0 || replica == 0) {
    ADD_FAILURE() << "no master/replica found for the voucher's slot:\n"
                  << shell("redis-cli -p " + redis.seeds().substr(redis.seeds().rfind(':') + 1) +
                           " cluster nodes");
    return {};
  }
  // The replica of a fresh cluster may still be in its first full sync: a kill now would lose
  // the voucher itself (and the master, restarted without persistence, comes back empty), not
  // just the last moment's writes. WAIT after a write in the voucher's slot, on the same
  // connection, returns once the replica holds that write and everything before it.
  const auto synced = shell(fmt::format(
      "printf 'SET {{v:{0}}}:synced 1\\nWAIT 1 10000\\n' | redis-cli -p {1}", voucher, master));
  if (synced.find("OK\n1") == std::string::npos) {
    ADD_FAILURE() << "the voucher's replica did not catch up within 10 s: " << synced;
    return {};
  }
  const int master_pid = PrivateCluster::pid_of(master);

  std::mutex mutex;
  std::set<std::string> promised;
  std::atomic<int> created{0}, unavailable{0};
  std::atomic<long long> last_201_ns{0};
  std::atomic<long long> longest_gap_ns{0};
  std::atomic<long long> kill_ns{0};
  std::atomic<long long> took_over_ns{0};
  std::atomic<int> after_takeover{0};
  std::atomic<bool> stop{false}, sold_out{false};
  std::atomic<int> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 16; ++t) {
    workers.emplace_back([&, t] {
      std::vector<HttpClient> clients;
      clients.push_back(cluster.client(0));
      clients.push_back(cluster.client(1));
      while (!stop.load()) {
        int n = next.fetch_add(1);
        auto& client = clients[static_cast<std::size_t>((n + t) % 2)];
        const long long taken_over = took_over_ns.load();
        const bool sent_after_takeover =
            taken_over != 0 && Clock::now().time_since_epoch().count() > taken_over;
        auto answer = client.request("POST", fmt::format("/api/v1/vouchers/{}/orders", voucher),
                                     token_for(5'000'000 + static_cast<std::uint64_t>(n)));
        if (answer.status == 201) {
          created++;
          if (sent_after_takeover) after_takeover++;
          auto now = Clock::now().time_since_epoch().count();
          std::lock_guard lock(mutex);
          if (kill_ns.load() != 0 && last_201_ns.load() != 0) {
            longest_gap_ns = std::max(longest_gap_ns.load(), now - last_201_ns.load());
          }
          last_201_ns = now;
          promised.insert(std::string(answer.json().as_object().at("order_id").as_string()));
        } else if (answer.status == 503) {
          unavailable++;
        } else if (answer.status == 409 && answer.error_code() == "sold_out") {
          sold_out = true;
        }
        // Paced, so the sale lasts through the failover (a few seconds).
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  while (created.load() < static_cast<int>(stock) / 10)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  int created_at_cut = 0;
  if (stall_replica) {
    // The replica's link is cut and may not come back (PSYNC and SYNC refused): from now on
    // the master's writes are on the master only. The window stays open for 300 ms and until
    // 100 purchases were answered in it (at most 5 s: a loaded machine sells slower).
    shell(fmt::format("redis-cli -p {} acl setuser default -psync -sync", master));
    shell(fmt::format("redis-cli -p {} client kill type replica", master));
    created_at_cut = created.load();
    const auto cut = Clock::now();
    while (Clock::now() - cut < std::chrono::milliseconds(300) ||
           (created.load() - created_at_cut < 100 && Clock::now() - cut < std::chrono::seconds(5)))
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const int created_at_kill = created.load();
  ::kill(master_pid, SIGKILL);
  kill_ns = Clock::now().time_since_epoch().count();
  std::thread reviver([&, replica = replica] {
    const auto killed = Clock::now();
    // The takeover is watched from the kill on (a fast election ends within 3 s, and a sale can
    // sell out within a second after it: polling later would miss "sent after the takeover").
    // The old master comes back only once the replica has taken over (up to 24 s on a loaded
    // machine) and 4 s after the kill at the earliest: started before the election ends it would
    // take its slots back empty, and its replica would copy the emptiness.
    for (int i = 0; i < 240; ++i) {
      if (shell(fmt::format("redis-cli -p {} role", replica)).rfind("master", 0) == 0) {
        took_over_ns = Clock::now().time_since_epoch().count();
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::this_thread::sleep_until(killed + std::chrono::seconds(4));
    redis.revive(master);
  });
  // Until the stock is gone, or 30 s (the failover did not happen: outage_s stays 0).
  for (int i = 0; i < 3000 && !sold_out.load(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  stop = true;
  for (auto& w : workers)
    w.join();
  reviver.join();

  FailoverOutcome out;
  out.promised = created.load();
  out.unavailable = unavailable.load();
  out.outage_s = static_cast<double>(longest_gap_ns.load()) / 1e9;
  out.took_over = took_over_ns.load() != 0;
  out.after_takeover = after_takeover.load();
  out.sold_out = sold_out.load();
  out.distinct_ids = static_cast<int>(promised.size());
  out.in_cut_window = stall_replica ? created_at_kill - created_at_cut : 0;
  // Let the writers drain (up to 60 s: entries that waited for a replica come once it is back),
  // then compare the promises with the store.
  auto count_sql = fmt::format("select count(*) from orders where voucher_id = {}", voucher);
  std::string last;
  int unchanged = 0;
  for (int i = 0; i < 60 && unchanged < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    auto now = cluster.store_value(count_sql);
    if (now == std::to_string(stock)) break;
    unchanged = now == last ? unchanged + 1 : 0;
    last = now;
  }
  out.stored = std::stoll(cluster.store_value(count_sql));
  auto column =
      cluster.store_column(fmt::format("select id from orders where voucher_id = {}", voucher));
  std::set<std::string> stored(column.begin(), column.end());
  for (const auto& id : promised)
    if (!stored.contains(id)) ++out.lost;
  return out;
}

void report(const char* name, const FailoverOutcome& o, long long stock) {
  std::printf(
      "FAILOVER %-28s stock %lld: 201s %d (%d after the takeover), lost %d, stored %lld "
      "(oversold %lld), 503s %d, outage %.2f s, 201s while the replica was cut off %d\n",
      name, stock, o.promised, o.after_takeover, o.lost, o.stored, std::max(0LL, o.stored - stock),
      o.unavailable, o.outage_s, o.in_cut_window);
}

// What holds whatever the replication setting: the replica took over and sold on (201s to
// requests sent after it answered as master), the sale ended sold out, and the store holds
// exactly the stock: no unit sold twice, none left unsold.
void expect_failover_sold_exactly_the_stock(const FailoverOutcome& o, long long stock) {
  EXPECT_TRUE(o.took_over) << "the replica never became master";
  EXPECT_GT(o.after_takeover, 0) << "no purchase sent after the takeover was answered 201";
  EXPECT_TRUE(o.sold_out) << "the sale did not end sold out within 30 s";
  EXPECT_EQ(o.stored, stock) << "the store holds exactly the stock";
  EXPECT_EQ(o.distinct_ids, o.promised) << "an order id answered twice";
  // A request in flight at the kill may be stored without its answer (unknown outcome), and an
  // answered 503 may have been queued (with acknowledgement): the stored orders are the kept
  // promises plus at most those.
  EXPECT_LE(o.promised - o.lost, o.stored) << "201s - lost <= stored";
}

}  // namespace

TEST(RedisFailover, MasterKilledMidSaleTheReplicaTakesOver) {
  const long long stock = 1500;
  auto o = sale_with_failover(false, false, stock);
  report("async", o, stock);
  expect_failover_sold_exactly_the_stock(o, stock);
  // Asynchronous replication promises nothing, but a healthy loopback replica is at most a
  // moment behind: it loses the last writes before the kill only (0, 5 and 3 in three runs on the
  // shared 2-core box, docs/scaling.md), not the ~600 of a replica cut off for 300 ms.
  EXPECT_LT(o.lost, 50) << "a healthy replica lost more than the last moment's writes";
}

TEST(RedisFailover, StalledReplicaShowsWhatAsyncReplicationLoses) {
  const long long stock = 1500;
  auto o = sale_with_failover(false, true, stock);
  report("async, replica link cut", o, stock);
  expect_failover_sold_exactly_the_stock(o, stock);
  // What the replica never received (the purchases answered while its link was cut) was sold
  // again after the takeover, and the store, which holds exactly the stock, refuses as many
  // promises: the loss is the window's size, where a healthy replica loses at most a few
  // (0, 3 and 5 measured). Counted, not timed: a loaded machine sells fewer in the window.
  ASSERT_GE(o.in_cut_window, 50) << "the window did not open: too few purchases while cut off";
  EXPECT_GE(o.lost, o.in_cut_window / 2)
      << "the replica's link was cut, yet less than half of what it never received was lost";
}

TEST(RedisFailover, AckReplicasLosesNoPromiseEvenWithAStalledReplica) {
  const long long stock = 1500;
  auto o = sale_with_failover(true, true, stock);
  report("ack 1, replica link cut", o, stock);
  expect_failover_sold_exactly_the_stock(o, stock);
  EXPECT_EQ(o.lost, 0) << "every 201 was on the replica that took over";
}
