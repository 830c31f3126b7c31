#pragma once
// The load of a fault test: a flash sale and a reminder storm at once, spread over every
// instance of a cluster, each request from a new user, running until stopped; and the checks of
// what must hold in PostgreSQL once it has drained, whatever happened in between.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "system/seckill_cluster.hpp"

namespace seckill::testing {

/// One request and what came back.
struct Exchange {
  bool sale = true;  ///< a purchase; otherwise a reminder
  std::uint64_t user = 0;
  std::string ticket;   ///< reminders only
  int status = 0;       ///< 0: no answer (connection refused or broken)
  std::string code;     ///< the error code, if any
  std::string id;       ///< order_id or reminder_id of a 201
  bool resent = false;  ///< the test client sent it twice (HttpAnswer::resent)
};

class ChaosTraffic {
 public:
  /// Starts `threads` client threads. One request in four is a reminder of one of `tickets`
  /// tickets named `<ticket_prefix>-N`; the rest buy `voucher`.
  /// Each client thread sends at most one request this often (25 a second: 600 a second with
  /// the default 24 threads, whatever the machine's speed).
  static constexpr std::chrono::milliseconds kRequestEvery{40};

  ChaosTraffic(SeckillCluster& cluster, std::string voucher, std::string ticket_prefix,
               int tickets = 40, int threads = 24);
  ~ChaosTraffic();
  ChaosTraffic(const ChaosTraffic&) = delete;
  ChaosTraffic& operator=(const ChaosTraffic&) = delete;

  int orders_created() const { return orders_created_.load(); }
  int sold_out_answers() const { return sold_out_.load(); }
  /// Waits until `n` purchases were answered 201, or `timeout`; true if they were.
  bool wait_for_orders(int n, std::chrono::seconds timeout) const;
  /// Keeps going until a purchase is answered sold_out (or `timeout`), then stops and joins.
  void finish_when_sold_out(std::chrono::seconds timeout);
  void stop();
  /// Every exchange so far (call after stop()).
  const std::vector<Exchange>& exchanges() const { return exchanges_; }
  std::string summary() const;

 private:
  void work(int thread);

  SeckillCluster& cluster_;
  std::string voucher_;
  std::string ticket_prefix_;
  int tickets_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> next_{0};
  std::atomic<int> orders_created_{0};
  std::atomic<int> sold_out_{0};
  std::mutex mutex_;
  std::vector<Exchange> exchanges_;
  std::vector<std::thread> threads_;
};

/// After the drain (waiting up to `drain`): the voucher sold exactly `stock` units (demand
/// exceeded it), one order per user, every 201 stored with its user, and every stored order
/// either answered 201 or unanswered (an unknown outcome), never refused; `seckill check` clean.
void expect_sale_kept_its_promises(const SeckillCluster& cluster, const ChaosTraffic& traffic,
                                   const std::string& voucher, long long stock,
                                   std::chrono::seconds drain);

/// After the drain: every reminder answered 201 stored in its record, one record per ticket,
/// and nothing stored for a reminder that was refused.
void expect_reminders_kept_their_promises(const SeckillCluster& cluster,
                                          const ChaosTraffic& traffic,
                                          const std::string& ticket_prefix,
                                          std::chrono::seconds drain);

/// A ticket prefix unique to this run ("<what>-<random hex>").
std::string fresh_ticket_prefix(const char* what);

}  // namespace seckill::testing
