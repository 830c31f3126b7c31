// The lock's semantics, the same for both implementations: on the test run's Redis
// (RedisLockService) and in process (EmbeddedLockService). docs/locks.md points here.

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "coordinator/embedded/embedded_lock_service.hpp"
#include "coordinator/redis/redis_lock_service.hpp"
#include "lock/distributed_lock.hpp"
#include "redis/client.hpp"
#include "redis/redis_test_support.hpp"

namespace seckill::lock {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using redis::testing::sleep_for;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

enum class Kind { redis, embedded };

class LockTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (GetParam() == Kind::redis) {
      redis::ClientOptions options;
      options.connection = redis::testing::test_options();
      client_ = std::make_unique<redis::Client>(io_, options);
      auto service = std::make_unique<coordinator::redis::RedisLockService>(
          *client_, io_.get_executor(), options.connection);
      redis_service_ = service.get();
      service_ = std::move(service);
    } else {
      service_ = std::make_unique<coordinator::embedded::EmbeddedLockService>();
    }
    lock_ = std::make_unique<DistributedLock>(*service_);
    resource_ = redis::testing::unique_prefix("lock");
  }
  void TearDown() override {
    lock_.reset();
    if (redis_service_) redis_service_->close();
    if (client_) client_->close();
    io_.restart();
    io_.poll();
  }

  /// Connects (Redis) and runs `body` with a time bound.
  void run(asio::awaitable<void> body, std::chrono::seconds limit = 30s) {
    redis::testing::run(io_, start_then(std::move(body)), limit);
  }

  asio::awaitable<void> start_then(asio::awaitable<void> body) {
    if (client_) {
      co_await client_->connect();
      co_await redis_service_->connect();
    }
    co_await std::move(body);
  }

 public:
  /// Runs a Redis command (Redis only).
  asio::awaitable<redis::Reply> command(redis::CommandArgs args) {
    co_return co_await client_->command(args);
  }

  bool has_redis() const { return client_ != nullptr; }

  /// How many EVALSHA Redis has run so far (INFO commandstats).
  asio::awaitable<long long> evalsha_calls() {
    // Named: as_string() is a view into the reply, which must outlive it (ASan found the view of
    // a temporary reply read after it was freed).
    redis::Reply reply = co_await client_->command({"INFO", "commandstats"});
    std::string_view info = reply.as_string();
    auto at = info.find("cmdstat_evalsha:calls=");
    if (at == std::string::npos) co_return 0;
    co_return std::stoll(std::string(info.substr(at + 22)));
  }

 protected:
  asio::io_context io_;
  std::unique_ptr<redis::Client> client_;
  coordinator::redis::RedisLockService* redis_service_ = nullptr;
  std::unique_ptr<LockService> service_;
  std::unique_ptr<DistributedLock> lock_;
  std::string resource_;
};

std::string kind_name(const ::testing::TestParamInfo<Kind>& info) {
  return info.param == Kind::redis ? "redis" : "embedded";
}

INSTANTIATE_TEST_SUITE_P(Kinds, LockTest, ::testing::Values(Kind::redis, Kind::embedded),
                         kind_name);

AcquireOptions options(milliseconds ttl, milliseconds wait = 0ms, bool renew = true) {
  AcquireOptions o;
  o.ttl = ttl;
  o.wait = wait;
  o.renew = renew;
  return o;
}

asio::awaitable<void> exclusive_and_fenced(LockTest* t, DistributedLock& lock, std::string r) {
  auto a = co_await lock.acquire(r, options(5s));
  EXPECT_TRUE(a);
  auto b = co_await lock.acquire(r, options(5s));
  EXPECT_FALSE(b) << "two holders at once";
  EXPECT_EQ(co_await lock.release(**a), ReleaseOutcome::released);
  auto c = co_await lock.acquire(r, options(5s));
  EXPECT_TRUE(c);
  EXPECT_GT((*c)->fencing_token(), (*a)->fencing_token());
  EXPECT_NE((*c)->owner(), (*a)->owner());
  EXPECT_EQ((*a)->owner().size(), 32u);
  co_await lock.release(**c);
  (void)t;
}

TEST_P(LockTest, OneHolderAtATimeAndFencingTokensOnlyGrow) {
  run(exclusive_and_fenced(this, *lock_, resource_));
}

asio::awaitable<void> non_owner_release(DistributedLock& lock, LockService& service,
                                        std::string r) {
  auto a = co_await lock.acquire(r, options(5s));
  EXPECT_TRUE(a);
  // Someone who does not hold the lock releases it: nothing happens, and it is told so.
  EXPECT_FALSE(co_await service.release(r, "someone-else"));
  auto b = co_await lock.acquire(r, options(5s));
  EXPECT_FALSE(b) << "a non-owner's release freed the lock";
  EXPECT_EQ(co_await lock.release(**a), ReleaseOutcome::released);
}

TEST_P(LockTest, ReleaseByANonOwnerDoesNothing) {
  run(non_owner_release(*lock_, *service_, resource_));
}

asio::awaitable<void> release_after_expiry(DistributedLock& lock, std::string r) {
  auto a = co_await lock.acquire(r, options(200ms, 0ms, /*renew=*/false));
  EXPECT_TRUE(a);
  co_await sleep_for(400ms);
  EXPECT_TRUE((*a)->lost());
  auto b = co_await lock.acquire(r, options(5s));
  EXPECT_TRUE(b) << "an expired lease still blocks";
  // The first holder comes back and releases: it must not free the second holder's lock.
  EXPECT_EQ(co_await lock.release(**a), ReleaseOutcome::not_owner);
  auto c = co_await lock.acquire(r, options(5s));
  EXPECT_FALSE(c) << "a release after expiry deleted the next holder's lock";
  EXPECT_EQ(co_await lock.release(**b), ReleaseOutcome::released);
}

TEST_P(LockTest, ReleaseAfterExpiryDoesNotFreeTheNextHoldersLock) {
  run(release_after_expiry(*lock_, resource_));
}

asio::awaitable<void> renewal(DistributedLock& lock, std::string r) {
  bool lost = false;
  auto o = options(300ms);
  o.on_lost = [&lost] { lost = true; };
  auto a = co_await lock.acquire(r, o);
  EXPECT_TRUE(a);
  // A job ten times the lease: the watchdog keeps it, and nobody else gets in meanwhile.
  const auto until = Clock::now() + 3000ms;
  while (Clock::now() < until) {
    co_await sleep_for(250ms);
    auto other = co_await lock.acquire(r, options(5s));
    EXPECT_FALSE(other) << "the lease ran out while its holder worked";
    if (other) co_await lock.release(**other);
  }
  EXPECT_FALSE(lost);
  EXPECT_FALSE((*a)->lost());
  EXPECT_EQ(co_await lock.release(**a), ReleaseOutcome::released);
}

TEST_P(LockTest, RenewalKeepsAJobOfTenLeasesAlive) {
  run(renewal(*lock_, resource_));
}

asio::awaitable<void> loss_reported(LockTest* t, DistributedLock& lock, LockService& service,
                                    std::string r) {
  Clock::time_point lost_at{};
  auto o = options(600ms);
  o.on_lost = [&lost_at] { lost_at = Clock::now(); };
  auto a = co_await lock.acquire(r, o);
  EXPECT_TRUE(a);
  // The holder's thread stalls past its lease (blocking here stops the watchdog too), and
  // another takes the lock meanwhile.
  std::this_thread::sleep_for(800ms);
  auto intruder = co_await service.try_acquire(r, "intruder", 10s);
  EXPECT_TRUE(intruder.fencing_token);
  EXPECT_GT(*intruder.fencing_token, (*a)->fencing_token());
  EXPECT_TRUE((*a)->lost()) << "the holder's own clock says the lease ran out";
  // "At once" is counted, not timed: the report comes from the first watchdog turn after the
  // stall, with at most the one renewal call that finds the lock gone (a machine under a
  // sanitizer may take long for it, never more calls).
  const long long before = t->has_redis() ? co_await t->evalsha_calls() : 0;
  for (int i = 0; i < 500 && lost_at == Clock::time_point{}; ++i)
    co_await sleep_for(10ms);
  EXPECT_NE(lost_at, Clock::time_point{}) << "lease loss not reported";
  if (t->has_redis()) {
    EXPECT_LE(co_await t->evalsha_calls() - before, 1) << "the loss took more than one renewal";
  }
  EXPECT_EQ(co_await lock.release(**a), ReleaseOutcome::not_owner);
  co_await service.release(r, "intruder");
}

TEST_P(LockTest, LeaseLossAfterAStallIsReportedAtOnce) {
  run(loss_reported(this, *lock_, *service_, resource_));
}

asio::awaitable<void> taken_away(LockTest* t, DistributedLock& lock, std::string r) {
  Clock::time_point lost_at{};
  auto o = options(600ms);
  o.on_lost = [&lost_at] { lost_at = Clock::now(); };
  auto a = co_await lock.acquire(r, o);
  EXPECT_TRUE(a);
  // An operator (or a failover that lost the key) removes the lock: the next renewal finds out.
  auto key = coordinator::redis::lock_owner_key(r);
  const long long before = co_await t->evalsha_calls();
  co_await t->command({"DEL", key});
  for (int i = 0; i < 500 && lost_at == Clock::time_point{}; ++i)
    co_await sleep_for(10ms);
  EXPECT_NE(lost_at, Clock::time_point{}) << "lease loss not reported";
  // Counted, not timed: the renewal that found the key gone reported it (the renewal in flight
  // at the DEL may have renewed just before it: two calls at most).
  EXPECT_LE(co_await t->evalsha_calls() - before, 2) << "not reported at the next renewal";
  EXPECT_TRUE((*a)->lost());
}

TEST_P(LockTest, LeaseTakenAwayInRedisIsReportedAtTheNextRenewal) {
  if (GetParam() != Kind::redis) GTEST_SKIP() << "Redis only: a key removed behind our back";
  run(taken_away(this, *lock_, resource_));
}

struct WaitRecord {
  Clock::time_point acquired{};
};

asio::awaitable<void> waiter(DistributedLock& lock, std::string r, WaitRecord& record, int& done) {
  auto o = options(10s, 60s);
  o.retry = 120s;  // the fallback would wake it only after 60..120 s: any wake-up is a release
  auto lease = co_await lock.acquire(r, o);
  EXPECT_TRUE(lease);
  record.acquired = Clock::now();
  co_await sleep_for(20ms);
  if (lease) co_await lock.release(**lease);
  ++done;
}

asio::awaitable<void> woken_on_release(LockTest* t, DistributedLock& lock, std::string r,
                                       bool count_commands) {
  auto holder = co_await lock.acquire(r, options(10s));
  EXPECT_TRUE(holder);
  constexpr int kWaiters = 5;
  std::vector<WaitRecord> records(kWaiters);
  int done = 0;
  long long before = count_commands ? co_await t->evalsha_calls() : 0;
  auto executor = co_await asio::this_coro::executor;
  for (auto& rec : records)
    asio::co_spawn(executor, waiter(lock, r, rec, done), asio::detached);
  co_await sleep_for(1500ms);
  if (count_commands) {
    long long during = co_await t->evalsha_calls() - before;
    // One attempt per waiter (and maybe a renewal); a spinning waiter would make thousands.
    EXPECT_LE(during, kWaiters + 2) << "waiters polled Redis while the lock was held";
  }
  const auto released = Clock::now();
  EXPECT_EQ(co_await lock.release(**holder), ReleaseOutcome::released);
  // Each waiter gets the lock one after the other, each woken by the previous release: all five
  // within 20 s, when the fallback retry (60 s at the earliest) could not have woken even one.
  while (done < kWaiters && Clock::now() - released < 20s)
    co_await sleep_for(10ms);
  EXPECT_EQ(done, kWaiters) << "a waiter was not woken by the release before it";
  for (auto& rec : records)
    EXPECT_NE(rec.acquired, Clock::time_point{});
}

TEST_P(LockTest, WaitersAreWokenByTheReleaseWithoutPolling) {
  run(woken_on_release(this, *lock_, resource_, GetParam() == Kind::redis));
}

}  // namespace
}  // namespace seckill::lock
