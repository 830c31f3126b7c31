// Reminders on fault tickets across several `seckill serve` processes sharing one Redis and one
// PostgreSQL, and in the embedded mode (one process, SQLite): one user once per user window, one
// main record per ticket per window, the staff workflow with its races and roles, and nothing
// promised lost when an instance dies.
#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <boost/json/parse.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/rfc3339.hpp"
#include "support/test_env.hpp"
#include "system/seckill_cluster.hpp"

using namespace seckill::testing;
using namespace std::chrono_literals;

namespace {

// Tickets unique to this run, so tests see only their own rows in the shared PostgreSQL.
std::string fresh_prefix(const char* what) {
  std::random_device rd;
  return fmt::format("{}-{:08x}{:08x}", what, rd(), rd());
}

std::string reminders_path(const std::string& ticket) {
  return "/api/v1/tickets/" + ticket + "/reminders";
}

struct Attempt {
  std::string ticket;
  std::uint64_t user = 0;
};

struct RemindOutcome {
  std::mutex mutex;
  std::map<std::string, std::set<std::string>> ids_by_ticket;  // ticket -> reminder ids
  std::set<std::pair<std::string, std::uint64_t>> promised;    // (reminder id, user) of 201s
  std::map<std::string, int> codes;                            // error code -> count
  std::atomic<int> created{0};
  std::atomic<int> new_records{0};
  std::atomic<int> unanswered{0};
  std::atomic<int> missing_retry_after{0};
};

// Every attempt once, spread over the instances, from `threads` client threads at once.
void run_storm(SeckillCluster& cluster, const std::vector<Attempt>& attempts, RemindOutcome& out,
               int threads = 40) {
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::vector<HttpClient> clients;
      for (int i = 0; i < cluster.size(); ++i)
        clients.push_back(cluster.client(i));
      for (;;) {
        auto n = next.fetch_add(1);
        if (n >= attempts.size()) return;
        const auto& a = attempts[n];
        auto& client = clients[(n + static_cast<std::size_t>(t)) % clients.size()];
        auto answer = client.request("POST", reminders_path(a.ticket), token_for(a.user));
        std::lock_guard lock(out.mutex);
        if (answer.status == 201) {
          out.created++;
          auto json = answer.json();
          const auto& body = json.as_object();
          std::string id(body.at("reminder_id").as_string());
          if (body.at("new_record").as_bool()) out.new_records++;
          out.ids_by_ticket[a.ticket].insert(id);
          out.promised.emplace(id, a.user);
        } else if (answer.status == 0) {
          out.unanswered++;
        } else {
          auto code = answer.error_code();
          out.codes[code]++;
          if (code == "already_reminded") {
            auto json = answer.json();
            const auto& error = json.as_object().at("error").as_object();
            const auto* retry = error.if_contains("retry_after_s");
            if (retry == nullptr || !retry->is_int64() || retry->as_int64() < 1) {
              out.missing_retry_after++;
            }
          }
        }
      }
    });
  }
  for (auto& w : workers)
    w.join();
}

// "reminder_id:user_id" of every stored user row of the tickets starting with `prefix`.
std::set<std::pair<std::string, std::uint64_t>> stored_rows(const SeckillCluster& cluster,
                                                            const std::string& prefix) {
  auto pairs = uses_postgres(cluster.mode())
                   ? "string_agg(u.reminder_id::text || ':' || u.user_id::text, ',')"
                   : "group_concat(u.reminder_id || ':' || u.user_id, ',')";
  auto list = cluster.store_value(fmt::format(
      "select coalesce({}, '') from reminder_users u join reminders r on r.id = u.reminder_id "
      "where r.ticket like '{}%'",
      pairs, prefix));
  std::set<std::pair<std::string, std::uint64_t>> rows;
  std::size_t start = 0;
  while (start < list.size()) {
    auto comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    auto item = list.substr(start, comma - start);
    auto colon = item.find(':');
    rows.emplace(item.substr(0, colon), std::stoull(item.substr(colon + 1)));
    start = comma + 1;
  }
  return rows;
}

std::string count_records(const SeckillCluster& cluster, const std::string& ticket_like) {
  return cluster.store_value(
      fmt::format("select count(*) from reminders where ticket like '{}'", ticket_like));
}

// Polls the staff view of `ticket` until it lists `records` records (the writer lags a little).
boost::json::array wait_for_records(HttpClient& client, const std::string& ticket,
                                    std::size_t records, int seconds = 15) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  boost::json::array last;
  while (std::chrono::steady_clock::now() < deadline) {
    auto answer = client.request("GET", reminders_path(ticket), token_for(900, "staff"));
    if (answer.status == 200) {
      last = answer.json().as_object().at("reminders").as_array();
      if (last.size() == records) return last;
    }
    std::this_thread::sleep_for(50ms);
  }
  return last;
}

// The behaviour a client sees is the same in both modes: these run against each.
// And under every --reminder-strategy (issue #6): the same behaviour whoever decides.
class RemindBothModes : public ::testing::TestWithParam<std::tuple<Mode, std::string>> {
 protected:
  Mode mode() const { return std::get<0>(GetParam()); }
  // Embedded: one instance (the store belongs to one process).
  int instances(int distributed) const { return mode() == Mode::embedded ? 1 : distributed; }
  /// `extra` and the strategy's flag.
  std::vector<std::string> flags(std::vector<std::string> extra) const {
    extra.push_back("--reminder-strategy");
    extra.push_back(std::get<1>(GetParam()));
    return extra;
  }
};

std::string mode_name(const ::testing::TestParamInfo<std::tuple<Mode, std::string>>& info) {
  return std::string(mode_label(std::get<0>(info.param))) + "_" + std::get<1>(info.param);
}

// Instance `i`, or the only one in the embedded mode.
HttpClient client_of(SeckillCluster& cluster, int i) {
  return cluster.client(i % cluster.size());
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Modes, RemindBothModes,
                         ::testing::Combine(::testing::Values(Mode::distributed, Mode::embedded),
                                            ::testing::Values("lua", "lock")),
                         mode_name);
// The same on the Redis Cluster, with the coordinator's scripts deciding.
INSTANTIATE_TEST_SUITE_P(Cluster, RemindBothModes,
                         ::testing::Combine(::testing::Values(Mode::cluster),
                                            ::testing::Values("lua")),
                         mode_name);

TEST_P(RemindBothModes, OneTicketFortyUsersFiveAttemptsMakeOneRecordThenANewOneAfterTheWindow) {
  SeckillCluster cluster(
      instances(3), flags({"--reminder-window", "6s", "--reminder-user-window", "6s"}), mode());
  auto ticket = fresh_prefix("ONE");
  std::vector<Attempt> attempts;
  for (int round = 0; round < 5; ++round) {
    for (std::uint64_t user = 1; user <= 40; ++user)
      attempts.push_back({ticket, 10'000 + user});
  }
  RemindOutcome out;
  run_storm(cluster, attempts, out, 40);
  // The premise, read from the record rather than timed: the storm fitted in one window.
  auto client = client_of(cluster, 1);
  cluster.wait_for_store(fmt::format("select count(*) from reminder_users u join reminders r on "
                                     "r.id = u.reminder_id where r.ticket = '{}'",
                                     ticket),
                         "40", 20);
  auto stormed = wait_for_records(client, ticket, 1);
  ASSERT_EQ(stormed.size(), 1u);
  const auto first_at =
      seckill::parse_rfc3339(stormed[0].as_object().at("first_at").as_string()).value();
  const auto last_at =
      seckill::parse_rfc3339(stormed[0].as_object().at("last_at").as_string()).value();
  ASSERT_LT(last_at - first_at, 6s) << "the storm outlasted the window";

  EXPECT_EQ(out.created.load(), 40);
  EXPECT_EQ(out.new_records.load(), 1);
  EXPECT_EQ(out.ids_by_ticket[ticket].size(), 1u);
  EXPECT_EQ(out.codes["already_reminded"], 160);
  EXPECT_EQ(out.missing_retry_after.load(), 0);
  EXPECT_EQ(out.unanswered.load(), 0);
  auto first_id = *out.ids_by_ticket[ticket].begin();

  // After the window (counted from the record's first_at, on the servers' clock: this machine's)
  // a reminder opens a new main record.
  std::this_thread::sleep_until(first_at + 6500ms);
  auto after = client.request("POST", reminders_path(ticket), token_for(10'041));
  ASSERT_EQ(after.status, 201) << after.body;
  EXPECT_TRUE(after.json().as_object().at("new_record").as_bool());
  EXPECT_NE(after.json().as_object().at("reminder_id").as_string(), first_id);

  EXPECT_EQ(cluster.wait_for_store(
                fmt::format("select count(*) from reminder_users u join reminders r on "
                            "r.id = u.reminder_id where r.ticket = '{}'",
                            ticket),
                "41", 20),
            "41");
  EXPECT_EQ(count_records(cluster, ticket), "2");

  // The staff view: two records, oldest first, the first with 40 users and last_at >= first_at.
  auto records = wait_for_records(client, ticket, 2);
  ASSERT_EQ(records.size(), 2u);
  const auto& first = records[0].as_object();
  EXPECT_EQ(first.at("id").as_string(), first_id);
  EXPECT_EQ(first.at("ticket").as_string(), ticket);
  EXPECT_EQ(first.at("status").as_string(), "open");
  EXPECT_EQ(first.at("users").as_array().size(), 40u);
  EXPECT_GE(seckill::parse_rfc3339(first.at("last_at").as_string()).value(),
            seckill::parse_rfc3339(first.at("first_at").as_string()).value());
  EXPECT_EQ(records[1].as_object().at("users").as_array().size(), 1u);
}

TEST_P(RemindBothModes, AThousandTicketsTimesTenUsersMakeExactlyOneRecordEach) {
  SeckillCluster cluster(
      instances(3), flags({"--reminder-window", "10m", "--reminder-user-window", "10m"}), mode());
  auto prefix = fresh_prefix("MANY");
  std::vector<Attempt> attempts;
  for (std::uint64_t user = 1; user <= 10; ++user) {
    for (int t = 0; t < 1000; ++t)
      attempts.push_back({fmt::format("{}-{}", prefix, t), 20'000 + user});
  }
  RemindOutcome out;
  run_storm(cluster, attempts, out, 48);
  EXPECT_EQ(out.created.load(), 10'000);
  EXPECT_EQ(out.new_records.load(), 1000);
  EXPECT_EQ(out.ids_by_ticket.size(), 1000u);
  for (const auto& [ticket, ids] : out.ids_by_ticket)
    EXPECT_EQ(ids.size(), 1u) << ticket;
  auto like = prefix + "-%";
  EXPECT_EQ(cluster.wait_for_store(
                fmt::format("select count(*) from reminder_users u join reminders r on "
                            "r.id = u.reminder_id where r.ticket like '{}'",
                            like),
                "10000", 30),
            "10000");
  EXPECT_EQ(count_records(cluster, like), "1000");
  EXPECT_EQ(cluster.store_value(
                fmt::format("select count(distinct ticket) from reminders where ticket like "
                            "'{}'",
                            like)),
            "1000");
}

TEST_P(RemindBothModes, AUserWindowShorterThanTheRecordWindow) {
  // Documented: after their own window a user may remind again; inside the record's window that
  // joins the same record (new_record false, the user listed once, last_at moves).
  SeckillCluster cluster(
      instances(2), flags({"--reminder-window", "6s", "--reminder-user-window", "2s"}), mode());
  auto ticket = fresh_prefix("UW");
  auto a = cluster.client(0);
  auto b = client_of(cluster, 1);
  auto start = std::chrono::steady_clock::now();
  auto first = a.request("POST", reminders_path(ticket), token_for(31));
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_TRUE(first.json().as_object().at("new_record").as_bool());
  auto id = std::string(first.json().as_object().at("reminder_id").as_string());

  auto repeat = b.request("POST", reminders_path(ticket), token_for(31));
  ASSERT_EQ(repeat.status, 409);
  EXPECT_EQ(repeat.error_code(), "already_reminded");
  auto retry = repeat.json().as_object().at("error").as_object().at("retry_after_s").as_int64();
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 2);

  std::this_thread::sleep_until(start + 2300ms);
  auto again = b.request("POST", reminders_path(ticket), token_for(31));
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_FALSE(again.json().as_object().at("new_record").as_bool());
  EXPECT_EQ(again.json().as_object().at("reminder_id").as_string(), id);
  auto other = a.request("POST", reminders_path(ticket), token_for(32));
  ASSERT_EQ(other.status, 201);
  EXPECT_EQ(other.json().as_object().at("reminder_id").as_string(), id);

  std::this_thread::sleep_until(start + 6300ms);
  auto next = a.request("POST", reminders_path(ticket), token_for(31));
  ASSERT_EQ(next.status, 201) << next.body;
  EXPECT_TRUE(next.json().as_object().at("new_record").as_bool());
  EXPECT_NE(next.json().as_object().at("reminder_id").as_string(), id);

  auto records = wait_for_records(a, ticket, 2);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].as_object().at("users").as_array().size(), 2u);  // user 31 once
  EXPECT_GT(seckill::parse_rfc3339(records[0].as_object().at("last_at").as_string()).value(),
            seckill::parse_rfc3339(records[0].as_object().at("first_at").as_string()).value());
}

TEST_P(RemindBothModes, AUserWindowLongerThanTheRecordWindow) {
  // Documented: the user's own window wins; the ticket may meanwhile get a new record from others.
  SeckillCluster cluster(
      instances(2), flags({"--reminder-window", "2s", "--reminder-user-window", "6s"}), mode());
  auto ticket = fresh_prefix("RW");
  auto a = cluster.client(0);
  auto b = client_of(cluster, 1);
  auto start = std::chrono::steady_clock::now();
  auto first = a.request("POST", reminders_path(ticket), token_for(41));
  ASSERT_EQ(first.status, 201) << first.body;
  auto id = std::string(first.json().as_object().at("reminder_id").as_string());
  std::this_thread::sleep_until(start + 2300ms);
  auto other = b.request("POST", reminders_path(ticket), token_for(42));
  ASSERT_EQ(other.status, 201);
  EXPECT_TRUE(other.json().as_object().at("new_record").as_bool());
  EXPECT_NE(other.json().as_object().at("reminder_id").as_string(), id);
  auto repeat = b.request("POST", reminders_path(ticket), token_for(41));
  ASSERT_EQ(repeat.status, 409);
  EXPECT_EQ(repeat.error_code(), "already_reminded");
  auto retry = repeat.json().as_object().at("error").as_object().at("retry_after_s").as_int64();
  EXPECT_GE(retry, 3);
  EXPECT_LE(retry, 4);
}

TEST_P(RemindBothModes, StaffWorkflowRacesRolesAndErrors) {
  SeckillCluster cluster(instances(2), flags({"--reminder-sla", "1s"}), mode());
  auto ticket = fresh_prefix("WF");
  auto c0 = cluster.client(0);
  auto c1 = client_of(cluster, 1);
  auto posted = c0.request("POST", reminders_path(ticket), token_for(51));
  ASSERT_EQ(posted.status, 201) << posted.body;
  auto id = std::string(posted.json().as_object().at("reminder_id").as_string());
  ASSERT_EQ(wait_for_records(c0, ticket, 1).size(), 1u);

  // A user sees the records that include them, nobody else's; staff and admins see all.
  auto mine = c1.request("GET", reminders_path(ticket), token_for(51));
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.json().as_object().at("reminders").as_array().size(), 1u);
  auto theirs = c1.request("GET", reminders_path(ticket), token_for(52));
  ASSERT_EQ(theirs.status, 200);
  EXPECT_EQ(theirs.json().as_object().at("reminders").as_array().size(), 0u);
  auto admin = c1.request("GET", reminders_path(ticket), token_for(1, "admin"));
  ASSERT_EQ(admin.status, 200);
  EXPECT_EQ(admin.json().as_object().at("reminders").as_array().size(), 1u);

  // Users may not touch the staff endpoints.
  for (auto [method, path] : {std::pair{"GET", std::string("/api/v1/reminders?status=open")},
                              std::pair{"POST", "/api/v1/reminders/" + id + "/ack"},
                              std::pair{"POST", "/api/v1/reminders/" + id + "/resolve"}}) {
    auto a = c0.request(method, path, token_for(51));
    EXPECT_EQ(a.status, 403) << path;
    EXPECT_EQ(a.error_code(), "forbidden") << path;
    EXPECT_EQ(c0.request(method, path).status, 401) << path;
  }

  // The queue: oldest first, paginated, overdue once older than the SLA (1 s here).
  std::this_thread::sleep_for(1200ms);
  std::set<std::string> seen;
  bool found = false;
  std::string cursor;
  seckill::SysTime previous_first_at{};
  for (int page = 0; page < 1000; ++page) {
    auto target = "/api/v1/reminders?status=open&limit=200" +
                  (cursor.empty() ? std::string() : "&cursor=" + cursor);
    auto q = c1.request("GET", target, token_for(900, "staff"));
    ASSERT_EQ(q.status, 200) << q.body;
    auto json = q.json();
    const auto& body = json.as_object();
    for (const auto& item : body.at("reminders").as_array()) {
      const auto& r = item.as_object();
      std::string rid(r.at("id").as_string());
      EXPECT_TRUE(seen.insert(rid).second) << "listed twice: " << rid;
      // Compared as times: "...:22Z" sorts after "...:22.001Z" as text.
      auto first_at = seckill::parse_rfc3339(r.at("first_at").as_string());
      ASSERT_TRUE(first_at.has_value()) << r.at("first_at").as_string();
      EXPECT_LE(previous_first_at, *first_at) << "oldest first";
      previous_first_at = *first_at;
      EXPECT_EQ(r.at("status").as_string(), "open");
      if (rid == id) {
        found = true;
        EXPECT_EQ(r.at("user_count").as_int64(), 1);
        EXPECT_TRUE(r.at("overdue").as_bool());
      }
    }
    if (body.at("cursor").is_null()) break;
    cursor = std::string(body.at("cursor").as_string());
  }
  EXPECT_TRUE(found);
  for (const char* bad :
       {"?status=closed", "?limit=0", "?limit=501", "?limit=x", "?cursor=garbage"}) {
    auto a = c1.request("GET", std::string("/api/v1/reminders") + bad, token_for(900, "staff"));
    EXPECT_EQ(a.status, 400) << bad;
    EXPECT_EQ(a.error_code(), "bad_request") << bad;
  }

  // Two staff ack at once through different instances: one wins, the other is invalid_state.
  auto race = [&](const std::string& verb) {
    std::vector<int> statuses(2);
    std::vector<std::string> bodies(2);
    std::vector<std::thread> staff;
    for (int i = 0; i < 2; ++i) {
      staff.emplace_back([&, i] {
        auto c = client_of(cluster, i);
        auto a = c.request("POST", "/api/v1/reminders/" + id + "/" + verb,
                           token_for(static_cast<std::uint64_t>(700 + i), "staff"));
        statuses[static_cast<std::size_t>(i)] = a.status;
        bodies[static_cast<std::size_t>(i)] = a.body;
      });
    }
    for (auto& t : staff)
      t.join();
    std::multiset<int> got(statuses.begin(), statuses.end());
    EXPECT_EQ(got, (std::multiset<int>{200, 409})) << bodies[0] << " / " << bodies[1];
    return statuses[0] == 200 ? bodies[0] : bodies[1];
  };
  auto acked = boost::json::parse(race("ack")).as_object();
  EXPECT_EQ(acked.at("status").as_string(), "acked");
  EXPECT_TRUE(acked.at("acked_by") == "700" || acked.at("acked_by") == "701");
  EXPECT_TRUE(acked.at("acked_at").is_string());
  EXPECT_EQ(acked.at("id").as_string(), id);
  auto again = c0.request("POST", "/api/v1/reminders/" + id + "/ack", token_for(1, "admin"));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.error_code(), "invalid_state");

  auto resolved = boost::json::parse(race("resolve")).as_object();
  EXPECT_EQ(resolved.at("status").as_string(), "resolved");
  for (const char* verb : {"ack", "resolve"}) {
    auto a = c0.request("POST", "/api/v1/reminders/" + id + "/" + verb, token_for(1, "admin"));
    EXPECT_EQ(a.status, 409) << verb;
    EXPECT_EQ(a.error_code(), "invalid_state") << verb;
  }
  // An open record resolves directly.
  auto other = fresh_prefix("WF2");
  auto p2 = c0.request("POST", reminders_path(other), token_for(53));
  ASSERT_EQ(p2.status, 201);
  auto id2 = std::string(p2.json().as_object().at("reminder_id").as_string());
  ASSERT_EQ(wait_for_records(c0, other, 1).size(), 1u);
  EXPECT_EQ(
      c1.request("POST", "/api/v1/reminders/" + id2 + "/resolve", token_for(2, "staff")).status,
      200);

  // Unknown ids, bad ids and bad tickets.
  auto unknown = c0.request("POST", "/api/v1/reminders/999999999/ack", token_for(2, "staff"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.error_code(), "not_found");
  EXPECT_EQ(c0.request("POST", "/api/v1/reminders/abc/ack", token_for(2, "staff")).status, 400);
  for (const std::string& bad : {std::string(65, 'x'), std::string("a%20b"), std::string("a.b"),
                                 std::string("%7Br%3A1%7D")}) {
    auto a = c0.request("POST", reminders_path(bad), token_for(51));
    EXPECT_EQ(a.status, 400) << bad;
    EXPECT_EQ(a.error_code(), "bad_request") << bad;
    EXPECT_EQ(c0.request("GET", reminders_path(bad), token_for(51)).status, 400) << bad;
  }
  EXPECT_EQ(c0.request("POST", reminders_path(std::string(64, 'y') + "Z")).status, 401);
}

TEST(RemindSystem, AnInstanceKilledMidStormLosesNoPromisedReminder) {
  SeckillCluster cluster(3, {"--reminder-window", "10m", "--reminder-user-window", "10m"});
  auto prefix = fresh_prefix("KILL");
  std::vector<Attempt> attempts;
  for (std::uint64_t user = 1; user <= 10; ++user) {
    for (int t = 0; t < 600; ++t)
      attempts.push_back({fmt::format("{}-{}", prefix, t), 60'000 + user});
  }
  RemindOutcome out;
  std::thread storm([&] { run_storm(cluster, attempts, out, 24); });
  for (int i = 0; i < 5000 && out.created.load() < 500; ++i)
    std::this_thread::sleep_for(1ms);
  cluster.process(2).kill_hard();
  int at_kill = out.created.load();
  storm.join();
  EXPECT_LT(at_kill, 6000) << "the kill came after the storm";
  EXPECT_GT(out.created.load(), at_kill);

  // The killed instance's pending entries are claimed by another after the claim idle time.
  auto deadline = std::chrono::steady_clock::now() + 30s;
  std::set<std::pair<std::string, std::uint64_t>> missing;
  do {
    auto stored = stored_rows(cluster, prefix + "-");
    missing.clear();
    for (const auto& p : out.promised) {
      if (!stored.contains(p)) missing.insert(p);
    }
    if (missing.empty()) break;
    std::this_thread::sleep_for(250ms);
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_TRUE(missing.empty()) << missing.size() << " promised reminders are not in PostgreSQL, "
                               << "e.g. record " << missing.begin()->first << " user "
                               << missing.begin()->second;
  // Still one record per ticket.
  EXPECT_EQ(cluster.store_value(
                fmt::format("select count(*) - count(distinct ticket) from reminders where "
                            "ticket like '{}-%'",
                            prefix)),
            "0");
}

TEST(RemindEmbedded, KillNineMidStormLosesNoPromisedReminderAndTheWindowsSurviveARestart) {
  SeckillCluster cluster(1, {"--reminder-window", "10m", "--reminder-user-window", "10m"},
                         Mode::embedded);
  auto prefix = fresh_prefix("EKILL");
  std::vector<Attempt> attempts;
  for (std::uint64_t user = 1; user <= 10; ++user) {
    for (int t = 0; t < 600; ++t)
      attempts.push_back({fmt::format("{}-{}", prefix, t), 70'000 + user});
  }
  RemindOutcome out;
  std::thread storm([&] { run_storm(cluster, attempts, out, 24); });
  for (int i = 0; i < 5000 && out.created.load() < 300; ++i)
    std::this_thread::sleep_for(1ms);
  cluster.process(0).kill_hard();
  storm.join();
  ASSERT_GT(out.created.load(), 0);
  ASSERT_LT(out.created.load(), 6000) << "the kill came after the storm";
  cluster.restart_hard(0);

  // Every 201 was committed before it was answered: all there at once, no writer to wait for.
  auto stored = stored_rows(cluster, prefix + "-");
  std::set<std::pair<std::string, std::uint64_t>> missing;
  for (const auto& p : out.promised) {
    if (!stored.contains(p)) missing.insert(p);
  }
  ASSERT_TRUE(missing.empty()) << missing.size() << " promised reminders are not in SQLite, "
                               << "e.g. record " << missing.begin()->first << " user "
                               << missing.begin()->second;
  EXPECT_LE(stored.size() - out.promised.size(), static_cast<std::size_t>(out.unanswered.load()));
  EXPECT_EQ(cluster.store_value(fmt::format(
                "select count(*) - count(distinct ticket) from reminders where ticket like '{}-%'",
                prefix)),
            "0");

  // The coordinator was rebuilt: a promised user is still inside their window, another user
  // joins the same record, and a new record's id is above every stored one.
  auto client = cluster.client(0);
  const auto& [record, user] = *out.promised.begin();
  std::string ticket;
  for (const auto& [t, ids] : out.ids_by_ticket) {
    if (ids.contains(record)) ticket = t;
  }
  ASSERT_FALSE(ticket.empty());
  auto again = client.request("POST", reminders_path(ticket), token_for(user));
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(again.error_code(), "already_reminded");
  auto joined = client.request("POST", reminders_path(ticket), token_for(79'999));
  ASSERT_EQ(joined.status, 201) << joined.body;
  EXPECT_FALSE(joined.json().as_object().at("new_record").as_bool());
  EXPECT_EQ(joined.json().as_object().at("reminder_id").as_string(), record);
  auto max_before = std::stoull(cluster.store_value("select max(id) from reminders"));
  auto fresh = client.request("POST", reminders_path(prefix + "-new"), token_for(79'999));
  ASSERT_EQ(fresh.status, 201) << fresh.body;
  EXPECT_TRUE(fresh.json().as_object().at("new_record").as_bool());
  EXPECT_GT(std::stoull(std::string(fresh.json().as_object().at("reminder_id").as_string())),
            max_before)
      << "ids continue upward";
}

TEST(RemindEmbedded, AUsersWindowAfterARestartCountsFromTheirLatestReminder) {
  // User window 2 s, record window 30 s: a user may remind the same record again after 2 s.
  SeckillCluster cluster(1, {"--reminder-window", "30s", "--reminder-user-window", "2s"},
                         Mode::embedded);
  auto ticket = fresh_prefix("ELAST");
  auto client = cluster.client(0);
  auto remind = [&] { return client.request("POST", reminders_path(ticket), token_for(81'001)); };
  ASSERT_EQ(remind().status, 201);
  std::this_thread::sleep_for(2200ms);
  auto again = remind();
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_FALSE(again.json().as_object().at("new_record").as_bool());
  // Restart at once: the window of that second reminder still runs, so a third is refused.
  cluster.restart_hard(0);
  client = cluster.client(0);
  auto third = remind();
  EXPECT_EQ(third.status, 409) << third.body;
  EXPECT_EQ(third.error_code(), "already_reminded");
}

// A client that lost its 201 asks again and learns which record its reminder is in
// (CONTRACT.md, "Errors"), from another instance too, and again from the answering instance's
// memory of the refusal.
TEST_P(RemindBothModes, AlreadyRemindedNamesTheRecordTheCallerIsIn) {
  SeckillCluster cluster(instances(2), flags({}), mode());
  auto ticket = fresh_prefix("HELD");
  auto a = cluster.client(0);
  auto b = client_of(cluster, 1);
  auto first = a.request("POST", reminders_path(ticket), token_for(51));
  ASSERT_EQ(first.status, 201) << first.body;
  auto id = std::string(first.json().as_object().at("reminder_id").as_string());
  for (int i = 0; i < 2; ++i) {
    auto repeat = b.request("POST", reminders_path(ticket), token_for(51));
    ASSERT_EQ(repeat.status, 409) << repeat.body;
    EXPECT_EQ(repeat.error_code(), "already_reminded");
    auto json = repeat.json();  // named: `error` refers into it
    const auto& error = json.as_object().at("error").as_object();
    ASSERT_NE(error.if_contains("reminder_id"), nullptr) << repeat.body;
    EXPECT_EQ(error.at("reminder_id").as_string(), id) << repeat.body;
    EXPECT_GE(error.at("retry_after_s").as_int64(), 1);
  }
}

// A record staff resolved collects no more reminders (core/reminder.hpp, collects_reminders):
// inside its window, the next reminder opens a new record, which shows in the open queue. The
// resolve is answered by one instance, the reminders by another.
TEST_P(RemindBothModes, AReminderAfterAResolveOpensANewRecordInTheOpenQueue) {
  SeckillCluster cluster(instances(2), flags({}), mode());
  auto ticket = fresh_prefix("RES");
  auto c0 = cluster.client(0);
  auto c1 = client_of(cluster, 1);
  auto first = c0.request("POST", reminders_path(ticket), token_for(61));
  ASSERT_EQ(first.status, 201) << first.body;
  auto first_id = std::string(first.json().as_object().at("reminder_id").as_string());
  ASSERT_EQ(wait_for_records(c0, ticket, 1).size(), 1u);
  auto resolved =
      c1.request("POST", "/api/v1/reminders/" + first_id + "/resolve", token_for(2, "staff"));
  ASSERT_EQ(resolved.status, 200) << resolved.body;

  for (std::uint64_t user : {62u, 63u}) {
    auto next = c0.request("POST", reminders_path(ticket), token_for(user));
    ASSERT_EQ(next.status, 201) << next.body;
    EXPECT_EQ(next.json().as_object().at("new_record").as_bool(), user == 62) << next.body;
    EXPECT_NE(next.json().as_object().at("reminder_id").as_string(), first_id) << next.body;
  }
  auto records = wait_for_records(c1, ticket, 2);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].as_object().at("status").as_string(), "resolved");
  EXPECT_EQ(records[0].as_object().at("users").as_array().size(), 1u);
  EXPECT_EQ(records[1].as_object().at("status").as_string(), "open");
  EXPECT_EQ(cluster.wait_for_store(
                fmt::format("select count(*) from reminder_users u join reminders r on "
                            "r.id = u.reminder_id where r.ticket = '{}' and r.status = 'open'",
                            ticket),
                "2", 20),
            "2");
  auto second_id = std::string(records[1].as_object().at("id").as_string());
  bool queued = false;
  std::optional<std::string> cursor;
  for (int page = 0; page < 100 && !queued; ++page) {
    auto path = std::string("/api/v1/reminders?status=open&limit=500") +
                (cursor ? "&cursor=" + *cursor : std::string());
    auto queue = c1.request("GET", path, token_for(2, "staff"));
    ASSERT_EQ(queue.status, 200) << queue.body;
    auto json = queue.json();
    for (const auto& r : json.as_object().at("reminders").as_array())
      queued = queued || r.as_object().at("id").as_string() == second_id;
    const auto& next = json.as_object().at("cursor");
    if (!next.is_string()) break;
    cursor = std::string(next.as_string());
  }
  EXPECT_TRUE(queued) << "the new record is in the open queue";
}

// The lock strategy's fencing counter lives in Redis; the store remembers the largest token it
// accepted. When Redis loses the counter (a restart without persistence, a failover), the next
// token restarts at 1: the counter is seeded from the store's largest, so reminders on an
// existing ticket are not refused (503) until it climbs back.
TEST(RemindSystem, TheLockStrategysFenceLostInRedisIsSeededFromTheStore) {
  SeckillCluster cluster(2, {"--reminder-strategy", "lock"}, Mode::distributed);
  auto ticket = fresh_prefix("FENCE");
  auto c0 = cluster.client(0);
  auto c1 = cluster.client(1);
  std::string first_id;
  for (std::uint64_t user : {71u, 72u, 73u}) {
    auto r = c0.request("POST", reminders_path(ticket), token_for(user));
    ASSERT_EQ(r.status, 201) << r.body;
    if (first_id.empty())
      first_id = std::string(r.json().as_object().at("reminder_id").as_string());
  }
  auto fence_key = "{lock:remind:ticket:" + ticket + "}:fence";
  ASSERT_EQ(
      std::system(
          fmt::format("redis-cli -u '{}' del '{}' >/dev/null", redis_url(), fence_key).c_str()),
      0);
  for (std::uint64_t user : {74u, 75u}) {
    auto r = c1.request("POST", reminders_path(ticket), token_for(user));
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_FALSE(r.json().as_object().at("new_record").as_bool());
    EXPECT_EQ(r.json().as_object().at("reminder_id").as_string(), first_id);
  }
  EXPECT_EQ(cluster.wait_for_store(
                fmt::format("select count(*) from reminder_users u join reminders r on "
                            "r.id = u.reminder_id where r.ticket = '{}'",
                            ticket),
                "5", 20),
            "5");
}
