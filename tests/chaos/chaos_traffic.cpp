#include "chaos/chaos_traffic.hpp"

#include <map>
#include <random>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace seckill::testing {

using namespace std::chrono_literals;

ChaosTraffic::ChaosTraffic(SeckillCluster& cluster, std::string voucher, std::string ticket_prefix,
                           int tickets, int threads)
    : cluster_(cluster),
      voucher_(std::move(voucher)),
      ticket_prefix_(std::move(ticket_prefix)),
      tickets_(tickets) {
  for (int t = 0; t < threads; ++t)
    threads_.emplace_back([this, t] { work(t); });
}

ChaosTraffic::~ChaosTraffic() {
  stop();
}

void ChaosTraffic::stop() {
  stopping_.store(true);
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

void ChaosTraffic::work(int thread) {
  std::vector<HttpClient> clients;
  for (int i = 0; i < cluster_.size(); ++i)
    clients.push_back(cluster_.client(i));
  std::vector<Exchange> mine;
  // Paced, not as fast as the machine allows: the scenarios stop and start servers after a
  // number of orders and expect the sale to go on while they are down, which holds only if the
  // stock outlasts those steps; on an idle machine an unpaced client sold it all in about a
  // second and sent more reminders than the writers drain in the scenarios' bounds.
  auto due = std::chrono::steady_clock::now();
  while (!stopping_.load()) {
    due += kRequestEvery;
    std::this_thread::sleep_until(due);
    auto n = next_.fetch_add(1);
    Exchange e;
    e.user = 1'000'000 + n;
    e.sale = n % 4 != 3;
    auto& client = clients[(n + static_cast<std::uint64_t>(thread)) % clients.size()];
    HttpAnswer answer;
    if (e.sale) {
      answer = client.request("POST", fmt::format("/api/v1/vouchers/{}/orders", voucher_),
                              token_for(e.user));
    } else {
      e.ticket = fmt::format("{}-{}", ticket_prefix_, n % static_cast<std::uint64_t>(tickets_));
      answer = client.request("POST", fmt::format("/api/v1/tickets/{}/reminders", e.ticket),
                              token_for(e.user));
    }
    e.status = answer.status;
    e.resent = answer.resent;
    if (answer.status == 201) {
      auto json = answer.json();
      e.id = std::string(json.as_object().at(e.sale ? "order_id" : "reminder_id").as_string());
      if (e.sale) orders_created_++;
    } else if (answer.status != 0) {
      e.code = answer.error_code();
      if (e.code == "sold_out") sold_out_++;
    } else {
      // A refused connection (a dead instance) fails at once: do not spin on it.
      std::this_thread::sleep_for(5ms);
    }
    mine.push_back(std::move(e));
  }
  std::lock_guard lock(mutex_);
  exchanges_.insert(exchanges_.end(), mine.begin(), mine.end());
}

bool ChaosTraffic::wait_for_orders(int n, std::chrono::seconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (orders_created_.load() < n) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

void ChaosTraffic::finish_when_sold_out(std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (sold_out_.load() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  // A little more, so requests racing the last units are part of the test too.
  std::this_thread::sleep_for(200ms);
  stop();
}

std::string ChaosTraffic::summary() const {
  std::map<std::string, int> counts;
  for (const auto& e : exchanges_) {
    auto key = fmt::format("{} {}{}{}", e.sale ? "order" : "reminder", e.status,
                           e.code.empty() ? "" : " " + e.code, e.resent ? " (resent)" : "");
    counts[key]++;
  }
  std::ostringstream out;
  for (const auto& [k, v] : counts)
    out << k << ": " << v << "; ";
  return out.str();
}

namespace {

// Rows of a two-column query as pairs, joined in SQL to keep to SeckillCluster::store_column.
std::vector<std::pair<std::string, std::string>> pairs(const SeckillCluster& cluster,
                                                       const std::string& a, const std::string& b,
                                                       const std::string& from) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& row :
       cluster.store_column(fmt::format("select {}::text || ':' || {}::text {}", a, b, from))) {
    auto colon = row.find(':');
    out.emplace_back(row.substr(0, colon), row.substr(colon + 1));
  }
  return out;
}

// An order or reminder in the store for a request that was answered: only a 201 may have one.
// No answer is an unknown outcome. A request the test's client sent twice (the first connection
// broke, or was closed without an answer, after the request went out) had a first copy of unknown
// outcome, whatever the second was answered (often already_ordered / already_reminded).
bool stored_without_promise(const Exchange& e) {
  return e.status != 201 && e.status != 0 && !e.resent;
}

}  // namespace

void expect_sale_kept_its_promises(const SeckillCluster& cluster, const ChaosTraffic& traffic,
                                   const std::string& voucher, long long stock,
                                   std::chrono::seconds drain) {
  SCOPED_TRACE(traffic.summary());
  auto count_sql = fmt::format("select count(*) from orders where voucher_id = {}", voucher);
  EXPECT_EQ(
      cluster.wait_for_store(count_sql, std::to_string(stock), static_cast<int>(drain.count())),
      std::to_string(stock))
      << "exactly the stock is sold";
  EXPECT_EQ(
      cluster.store_value(fmt::format(
          "select count(*) - count(distinct user_id) from orders where voucher_id = {}", voucher)),
      "0")
      << "one order per user";
  EXPECT_EQ(cluster.store_value(fmt::format(
                "select stock_left + (select count(*) from orders where voucher_id = {0}) - "
                "stock_total from vouchers where id = {0}",
                voucher)),
            "0")
      << "stock_left + orders = stock_total";
  EXPECT_EQ(cluster.store_value(
                fmt::format("select stock_left >= 0 from vouchers where id = {}", voucher)),
            "t");

  std::map<std::string, std::string> stored;  // order id -> user
  for (auto& [id, user] :
       pairs(cluster, "id", "user_id", fmt::format("from orders where voucher_id = {}", voucher)))
    stored[id] = user;
  std::map<std::string, const Exchange*> by_user;
  int promised = 0, missing = 0, unpromised = 0;
  for (const auto& e : traffic.exchanges()) {
    if (!e.sale) continue;
    by_user[std::to_string(e.user)] = &e;
    if (e.status != 201) continue;
    ++promised;
    auto it = stored.find(e.id);
    if (it == stored.end() || it->second != std::to_string(e.user)) {
      if (++missing <= 5)
        ADD_FAILURE() << "order " << e.id << " of user " << e.user
                      << " was answered 201 but is not in PostgreSQL";
    }
  }
  for (const auto& [id, user] : stored) {
    auto it = by_user.find(user);
    if (it == by_user.end() || stored_without_promise(*it->second)) {
      if (++unpromised <= 5) {
        ADD_FAILURE() << "order " << id << " of user " << user << " is stored but its request "
                      << "was answered "
                      << (it == by_user.end()
                              ? std::string("never (not sent by this test)")
                              : fmt::format("{} {}", it->second->status, it->second->code));
      }
    }
  }
  EXPECT_GT(promised, 0);
  EXPECT_EQ(missing, 0) << "promised orders lost";
  EXPECT_EQ(unpromised, 0) << "orders stored that were refused";
  EXPECT_EQ(SeckillCluster::check(), 0) << "seckill check (see /tmp/seckill-check.log)";
}

void expect_reminders_kept_their_promises(const SeckillCluster& cluster,
                                          const ChaosTraffic& traffic,
                                          const std::string& ticket_prefix,
                                          std::chrono::seconds drain) {
  SCOPED_TRACE(traffic.summary());
  std::set<std::pair<std::string, std::string>> promised;  // (reminder id, user)
  std::map<std::string, const Exchange*> by_user;
  for (const auto& e : traffic.exchanges()) {
    if (e.sale) continue;
    by_user[std::to_string(e.user)] = &e;
    if (e.status == 201) promised.emplace(e.id, std::to_string(e.user));
  }
  auto from = fmt::format(
      "from reminder_users u join reminders r on r.id = u.reminder_id where r.ticket like '{}-%'",
      ticket_prefix);
  auto deadline = std::chrono::steady_clock::now() + drain;
  std::set<std::pair<std::string, std::string>> stored;
  std::size_t missing = 0;
  do {
    try {
      auto rows = pairs(cluster, "u.reminder_id", "u.user_id", from);
      stored = {rows.begin(), rows.end()};
      missing = 0;
      for (const auto& p : promised)
        if (!stored.contains(p)) ++missing;
      if (missing == 0) break;
    } catch (const std::exception&) {
      // PostgreSQL may still be coming back.
    }
    std::this_thread::sleep_for(250ms);
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_FALSE(promised.empty());
  EXPECT_EQ(missing, 0u) << "promised reminders lost";
  int unpromised = 0;
  for (const auto& [reminder, user] : stored) {
    auto it = by_user.find(user);
    if (it == by_user.end() || stored_without_promise(*it->second)) {
      if (++unpromised <= 5)
        ADD_FAILURE() << "reminder of user " << user << " in record " << reminder
                      << " is stored but was refused";
    }
  }
  EXPECT_EQ(unpromised, 0);
  EXPECT_EQ(cluster.store_value(fmt::format(
                "select count(*) - count(distinct ticket) from reminders where ticket like '{}-%'",
                ticket_prefix)),
            "0")
      << "one record per ticket";
}

std::string fresh_ticket_prefix(const char* what) {
  std::random_device rd;
  return fmt::format("{}-{:08x}{:08x}", what, rd(), rd());
}

}  // namespace seckill::testing
