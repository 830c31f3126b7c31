// Stock buckets (--stock-buckets) on a real Redis and on the test Redis Cluster: however users
// race from several processes (here: several clients, each on its own thread and io_context),
// exactly the stock is sold, no user holds two orders, no bucket goes below zero, and a user
// whose home bucket is dry is served from the others.
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "coordinator/redis/redis_stock_gate.hpp"
#include "coordinator/redis/sale_keys.hpp"
#include "core/decimal.hpp"
#include "core/infra_error.hpp"
#include "support/test_env.hpp"

namespace asio = boost::asio;
using namespace seckill;
using namespace std::chrono_literals;
using coordinator::redis::RedisStockGate;
using coordinator::redis::SaleKeys;
using redis::Reply;

namespace {

enum class Where { single, cluster };

redis::ClientOptions options_for(Where where) {
  redis::ClientOptions options;
  options.connection.request_timeout = 5s;
  if (where == Where::single) {
    options.connection.endpoint = redis::parse_redis_url(seckill::testing::redis_url()).value();
  } else {
    auto seeds = redis::parse_redis_urls(seckill::testing::redis_cluster_urls()).value();
    options.connection.endpoint = seeds.front();
    options.cluster_seeds = seeds;
  }
  return options;
}

std::uint64_t random_voucher() {
  std::random_device rd;
  return 3'000'000'000ULL + static_cast<std::uint64_t>(rd()) % 1'000'000'000ULL;
}

struct Tally {
  std::mutex mutex;
  std::map<std::uint64_t, int> taken_by_user;
  std::atomic<int> taken{0}, sold_out{0}, already{0}, errors{0};
};

asio::awaitable<void> buy(redis::Client& client, unsigned buckets, std::uint64_t voucher,
                          std::vector<std::uint64_t> users, int attempts, Tally& tally,
                          int& running) {
  co_await client.connect();
  RedisStockGate gate(client, {}, buckets);
  for (int a = 0; a < attempts; ++a) {
    for (auto user : users) {
      Order o{voucher * 1000 + user * 10 + static_cast<std::uint64_t>(a), user, voucher,
              SysTime(1000s), OrderStatus::pending};
      auto r = co_await gate.take(o);
      if (r.outcome == sale::TakeOutcome::taken) {
        ++tally.taken;
        std::lock_guard lock(tally.mutex);
        ++tally.taken_by_user[user];
      } else if (r.outcome == sale::TakeOutcome::sold_out) {
        ++tally.sold_out;
      } else if (r.outcome == sale::TakeOutcome::already_ordered) {
        ++tally.already;
      } else {
        ++tally.errors;
      }
    }
  }
  if (--running == 0) client.close();  // the last buyer of this process lets io.run() end
}

asio::awaitable<void> load_voucher(redis::Client& client, unsigned buckets, std::uint64_t voucher,
                                   std::int64_t stock) {
  co_await client.connect();
  RedisStockGate gate(client, {}, buckets);
  Voucher v{voucher, "t", stock, stock, {}, {}, {}};
  co_await gate.load(v);
  client.close();
}

// A voucher Redis lost, rebuilt (sale/stock_rebuild.hpp): the claim is one caller's, the buyers
// go back to their home buckets, the stock is split, and a second restore changes nothing.
struct RestoreOutcome {
  bool claimed = false, claimed_twice = false, restored = false, restored_again = false;
};

asio::awaitable<RestoreOutcome> restore_voucher(redis::Client& client, unsigned buckets,
                                                std::uint64_t voucher, std::int64_t left,
                                                std::vector<sale::Buyer> buyers) {
  co_await client.connect();
  RedisStockGate gate(client, {}, buckets);
  Voucher v{voucher, "t", 10, 10, {}, {}, {}};
  RestoreOutcome out;
  out.claimed = co_await gate.claim_rebuild(voucher, "first", 10s);
  out.claimed_twice = co_await gate.claim_rebuild(voucher, "second", 10s);
  out.restored = co_await gate.restore_lost(v, left, buyers, "first");
  out.restored_again = co_await gate.restore_lost(v, left, buyers, "first");
  client.close();
  co_return out;
}

struct BucketState {
  std::vector<std::int64_t> stock;
  std::map<std::uint64_t, std::vector<unsigned>> marks;  // user -> buckets holding their mark
  std::int64_t left = -1;
};

asio::awaitable<BucketState> inspect(redis::Client& client, unsigned buckets,
                                     std::uint64_t voucher) {
  co_await client.connect();
  BucketState s;
  for (unsigned b = 0; b < buckets; ++b) {
    SaleKeys keys(voucher, b);
    Reply stock = co_await client.command({"GET", keys.stock});
    s.stock.push_back(stock.is_nil() ? -999 : *parse_decimal<std::int64_t>(stock.as_string()));
    Reply users = co_await client.command({"HKEYS", keys.buyers});
    for (const auto& u : users.elements())
      s.marks[*parse_decimal<std::uint64_t>(u.as_string())].push_back(b);
  }
  RedisStockGate gate(client, {}, buckets);
  s.left = (co_await gate.stock_left(voucher)).value_or(-1);
  client.close();
  co_return s;
}

class StockBuckets : public ::testing::TestWithParam<Where> {
 protected:
  void load(unsigned buckets, std::uint64_t voucher, std::int64_t stock) {
    asio::io_context io;
    redis::Client client(io, options_for(GetParam()));
    auto f = asio::co_spawn(io, load_voucher(client, buckets, voucher, stock), asio::use_future);
    io.run_for(30s);
    f.get();
  }

  // `processes` clients on their own threads; user u goes to process u % processes.
  void race(unsigned buckets, std::uint64_t voucher, const std::vector<std::uint64_t>& users,
            int processes, int attempts, Tally& tally) {
    std::vector<std::thread> threads;
    for (int p = 0; p < processes; ++p) {
      std::vector<std::uint64_t> mine;
      for (std::size_t i = 0; i < users.size(); ++i)
        if (static_cast<int>(i % static_cast<std::size_t>(processes)) == p)
          mine.push_back(users[i]);
      threads.emplace_back([&, mine] {
        asio::io_context io;
        redis::Client client(io, options_for(GetParam()));
        // Several coroutines per process, so requests overlap inside a process too.
        std::vector<std::future<void>> done;
        int running = 4;
        for (std::size_t c = 0; c < 4; ++c) {
          std::vector<std::uint64_t> part;
          for (std::size_t i = c; i < mine.size(); i += 4)
            part.push_back(mine[i]);
          done.push_back(asio::co_spawn(
              io, buy(client, buckets, voucher, part, attempts, tally, running), asio::use_future));
        }
        io.run_for(60s);
        for (auto& d : done)
          d.get();
      });
    }
    for (auto& t : threads)
      t.join();
  }

  BucketState state(unsigned buckets, std::uint64_t voucher) {
    asio::io_context io;
    redis::Client client(io, options_for(GetParam()));
    auto f = asio::co_spawn(io, inspect(client, buckets, voucher), asio::use_future);
    io.run_for(30s);
    return f.get();
  }

  void expect_exact(const Tally& tally, const BucketState& s, std::int64_t stock,
                    unsigned buckets) {
    EXPECT_EQ(tally.taken.load(), stock) << "exactly the stock is sold";
    EXPECT_EQ(tally.errors.load(), 0);
    for (const auto& [user, n] : tally.taken_by_user)
      EXPECT_EQ(n, 1) << "user " << user << " got " << n << " orders";
    EXPECT_EQ(s.left, 0);
    for (auto b : s.stock)
      EXPECT_GE(b, 0) << "a bucket went below zero";
    EXPECT_EQ(static_cast<std::int64_t>(s.marks.size()), stock);
    for (const auto& [user, where] : s.marks) {
      ASSERT_EQ(where.size(), 1u) << "user " << user << " marked in several buckets";
      EXPECT_EQ(where.front(), RedisStockGate::home_bucket(user, buckets))
          << "a mark outside the user's home bucket";
    }
  }
};

const char* where_name(const ::testing::TestParamInfo<Where>& info) {
  return info.param == Where::single ? "single" : "cluster";
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Redis, StockBuckets, ::testing::Values(Where::single, Where::cluster),
                         where_name);

// 10 units over 4 buckets (3, 3, 2, 2); 60 users, each trying twice, from 4 processes.
TEST_P(StockBuckets, UnevenBucketsSellExactlyTheStockOncePerUser) {
  const unsigned k = 4;
  const auto voucher = random_voucher();
  load(k, voucher, 10);
  std::vector<std::uint64_t> users;
  for (std::uint64_t u = 1; u <= 60; ++u)
    users.push_back(u);
  Tally tally;
  race(k, voucher, users, 4, 2, tally);
  expect_exact(tally, state(k, voucher), 10, k);
  EXPECT_EQ(tally.taken.load() + tally.sold_out.load() + tally.already.load(), 120);
}

// Issue 15: stock 10, 3 orders stored: 7 units left and users 1..3 already hold theirs.
TEST_P(StockBuckets, RestoredVoucherKnowsItsBuyersAndSellsTheRest) {
  for (const unsigned k : {1u, 3u}) {
    const auto voucher = random_voucher();
    std::vector<sale::Buyer> stored{{1, 901}, {2, 902}, {3, 903}};
    asio::io_context io;
    redis::Client client(io, options_for(GetParam()));
    auto f = asio::co_spawn(io, restore_voucher(client, k, voucher, 7, stored), asio::use_future);
    io.run_for(30s);
    auto out = f.get();
    EXPECT_TRUE(out.claimed);
    EXPECT_FALSE(out.claimed_twice) << "one instance rebuilds";
    EXPECT_TRUE(out.restored);
    EXPECT_FALSE(out.restored_again) << "live state is never overwritten";
    std::vector<std::uint64_t> users;
    for (std::uint64_t u = 1; u <= 20; ++u)
      users.push_back(u);
    Tally tally;
    race(k, voucher, users, 2, 1, tally);
    EXPECT_EQ(tally.taken.load(), 7) << k << " buckets";
    EXPECT_EQ(tally.already.load(), 3) << "the stored buyers are known again";
    EXPECT_EQ(tally.errors.load(), 0);
    auto s = state(k, voucher);
    EXPECT_EQ(s.left, 0);
    EXPECT_EQ(s.marks.size(), 10u);
    for (const auto& [user, where] : s.marks) {
      ASSERT_EQ(where.size(), 1u);
      EXPECT_EQ(where.front(), RedisStockGate::home_bucket(user, k));
    }
  }
}

// 3 units over 8 buckets: five of them empty from the start; 50 users from 3 processes.
TEST_P(StockBuckets, AllBucketsNearlyEmpty) {
  const unsigned k = 8;
  const auto voucher = random_voucher();
  load(k, voucher, 3);
  std::vector<std::uint64_t> users;
  for (std::uint64_t u = 100; u < 150; ++u)
    users.push_back(u);
  Tally tally;
  race(k, voucher, users, 3, 1, tally);
  expect_exact(tally, state(k, voucher), 3, k);
}

// Every user shares one home bucket holding 1 of the 4 units: the other three are borrowed.
TEST_P(StockBuckets, ADryHomeBucketBorrowsFromTheOthers) {
  const unsigned k = 4;
  const auto voucher = random_voucher();
  load(k, voucher, 4);
  std::vector<std::uint64_t> users;
  for (std::uint64_t u = 1000; users.size() < 12; ++u)
    if (RedisStockGate::home_bucket(u, k) == 2) users.push_back(u);
  Tally tally;
  race(k, voucher, users, 2, 2, tally);
  expect_exact(tally, state(k, voucher), 4, k);
}

// Many units, many users, 4 processes: the stock runs out in several buckets at different
// times.
TEST_P(StockBuckets, ManyUsersManyProcesses) {
  const unsigned k = 5;
  const auto voucher = random_voucher();
  load(k, voucher, 333);
  std::vector<std::uint64_t> users;
  for (std::uint64_t u = 1; u <= 1000; ++u)
    users.push_back(u * 7919);
  Tally tally;
  race(k, voucher, users, 4, 1, tally);
  expect_exact(tally, state(k, voucher), 333, k);
}

// One bucket is the unsplit layout: the voucher's own keys, nothing else.
TEST_P(StockBuckets, OneBucketIsTheUnsplitLayout) {
  const auto voucher = random_voucher();
  load(1, voucher, 5);
  EXPECT_EQ(SaleKeys(voucher, 0).stock, SaleKeys(voucher).stock);
  auto s = state(2, voucher);  // bucket 1 must not exist
  ASSERT_EQ(s.stock.size(), 2u);
  EXPECT_EQ(s.stock[0], 5);
  EXPECT_EQ(s.stock[1], -999);
}

namespace {

struct PendingSeen {
  sale::TakeResult taken, again;
  std::optional<Order> pending, refused_pending;
};

asio::awaitable<PendingSeen> take_then_find(redis::Client& client, unsigned buckets,
                                            std::uint64_t voucher) {
  co_await client.connect();
  RedisStockGate gate(client, {}, buckets);
  PendingSeen seen;
  Order order{voucher * 10 + 1, 42, voucher, SysTime(1'234'567ms), OrderStatus::pending};
  seen.taken = co_await gate.take(order);
  seen.pending = co_await gate.find_pending(order.id);
  Order second{voucher * 10 + 2, 42, voucher, SysTime(1'234'999ms), OrderStatus::pending};
  seen.again = co_await gate.take(second);
  seen.refused_pending = co_await gate.find_pending(second.id);
  client.close();
  co_return seen;
}

}  // namespace

// GET /orders/{id} answers `pending` from the record the take leaves (written by the take
// script itself on a single Redis, by a separate SET on a cluster); a refused take leaves none.
TEST_P(StockBuckets, ATakenOrderIsPendingAtOnce) {
  for (unsigned k : {1u, 3u}) {
    const auto voucher = random_voucher();
    load(k, voucher, 5);
    asio::io_context io;
    redis::Client client(io, options_for(GetParam()));
    auto f = asio::co_spawn(io, take_then_find(client, k, voucher), asio::use_future);
    io.run_for(30s);
    auto seen = f.get();
    EXPECT_EQ(seen.taken.outcome, sale::TakeOutcome::taken) << k << " buckets";
    ASSERT_TRUE(seen.pending.has_value()) << k << " buckets";
    EXPECT_EQ(seen.pending->id, voucher * 10 + 1);
    EXPECT_EQ(seen.pending->user_id, 42u);
    EXPECT_EQ(seen.pending->voucher_id, voucher);
    EXPECT_EQ(seen.pending->created_at, SysTime(1'234'567ms));
    EXPECT_EQ(seen.pending->status, OrderStatus::pending);
    EXPECT_EQ(seen.again.outcome, sale::TakeOutcome::already_ordered) << k << " buckets";
    EXPECT_FALSE(seen.refused_pending.has_value()) << k << " buckets";
  }
}

namespace {

struct HeldSeen {
  sale::TakeResult again;
  std::optional<std::vector<sale::Buyer>> buyers;
};

asio::awaitable<HeldSeen> take_twice(redis::Client& client, unsigned buckets, std::uint64_t voucher,
                                     std::uint64_t first_id) {
  co_await client.connect();
  RedisStockGate gate(client, {}, buckets);
  HeldSeen seen;
  Order order{first_id, 43, voucher, SysTime(1'234'567ms), OrderStatus::pending};
  co_await gate.take(order);
  Order second{first_id + 1, 43, voucher, SysTime(1'234'999ms), OrderStatus::pending};
  seen.again = co_await gate.take(second);
  seen.buyers = co_await gate.buyers(voucher);
  client.close();
  co_return seen;
}

}  // namespace

// A client that lost its 201 asks again and learns which order it holds: the take scripts
// return it as a string, since a Lua number (a double) rounds an id above 2^53.
TEST_P(StockBuckets, AlreadyOrderedNamesTheHeldOrderExactly) {
  for (unsigned k : {1u, 3u}) {
    const auto voucher = random_voucher();
    load(k, voucher, 5);
    const std::uint64_t first_id = (1ULL << 62) + voucher * 16 + 1;  // odd, far above 2^53
    asio::io_context io;
    redis::Client client(io, options_for(GetParam()));
    auto f = asio::co_spawn(io, take_twice(client, k, voucher, first_id), asio::use_future);
    io.run_for(30s);
    auto seen = f.get();
    EXPECT_EQ(seen.again.outcome, sale::TakeOutcome::already_ordered) << k << " buckets";
    EXPECT_EQ(seen.again.held_order_id, first_id) << k << " buckets";
    ASSERT_TRUE(seen.buyers.has_value());
    ASSERT_EQ(seen.buyers->size(), 1u);
    EXPECT_EQ(seen.buyers->front().user_id, 43u);
    EXPECT_EQ(seen.buyers->front().order_id, first_id);
  }
}

namespace {

struct AckSeen {
  std::string first_error;  ///< "unknown", "io" or "none"
  sale::TakeResult again;
  std::string again_error;
};

std::string kind_of(std::exception_ptr e) {
  if (!e) return "none";
  try {
    std::rethrow_exception(e);
  } catch (const OutcomeUnknownError&) {
    return "unknown";
  } catch (const IoError&) {
    return "io";
  } catch (const std::exception& other) {
    return other.what();
  }
}

asio::awaitable<AckSeen> take_unacknowledged(redis::Client& client, unsigned buckets,
                                             std::uint64_t voucher) {
  co_await client.connect();
  // More replicas than any test Redis has: every WAIT falls short, after the script ran.
  RedisStockGate gate(client, redis::AckReplicas{5, 20ms}, buckets);
  AckSeen seen;
  std::exception_ptr failure;
  try {
    Order order{voucher * 10 + 1, 44, voucher, SysTime(1'234'567ms), OrderStatus::pending};
    co_await gate.take(order);
  } catch (...) {
    failure = std::current_exception();
  }
  seen.first_error = kind_of(failure);
  failure = nullptr;
  try {
    Order again{voucher * 10 + 2, 44, voucher, SysTime(1'234'999ms), OrderStatus::pending};
    seen.again = co_await gate.take(again);
  } catch (...) {
    failure = std::current_exception();
  }
  seen.again_error = kind_of(failure);
  client.close();
  co_return seen;
}

}  // namespace

// Issue #15, "unknown is unknown": with --redis-ack-replicas, a WAIT that falls short comes
// after the take script ran. The order was taken: the answer is OutcomeUnknownError (the server
// closes the connection), never IoError (503, "nothing was taken"); the client's retry learns
// the order it holds.
TEST_P(StockBuckets, AWaitShortOfReplicasAfterATakeIsOutcomeUnknown) {
  for (unsigned k : {1u, 3u}) {
    const auto voucher = random_voucher();
    load(k, voucher, 5);
    asio::io_context io;
    redis::Client client(io, options_for(GetParam()));
    auto f = asio::co_spawn(io, take_unacknowledged(client, k, voucher), asio::use_future);
    io.run_for(30s);
    auto seen = f.get();
    EXPECT_EQ(seen.first_error, "unknown") << k << " buckets";
    EXPECT_EQ(seen.again_error, "none") << k << " buckets";
    EXPECT_EQ(seen.again.outcome, sale::TakeOutcome::already_ordered) << k << " buckets";
    EXPECT_EQ(seen.again.held_order_id, voucher * 10 + 1) << k << " buckets";
  }
}
