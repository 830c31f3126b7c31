// The reads of issue #20 against real servers, in both modes and under every --sale-strategy:
// listing vouchers by status with paging, a voucher's orders (pending ones included), the
// caller's own orders, ending a sale on every instance, and the 400s of the listings.
#include <atomic>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/json.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "auth/base64url.hpp"
#include "core/rfc3339.hpp"
#include "support/test_env.hpp"
#include "system/seckill_cluster.hpp"

using namespace seckill::testing;
namespace json = boost::json;

namespace {

class Listings : public ::testing::TestWithParam<std::tuple<Mode, std::string>> {
 protected:
  Mode mode() const { return std::get<0>(GetParam()); }
  int instances(int distributed) const { return mode() == Mode::embedded ? 1 : distributed; }
  bool distributed() const { return uses_postgres(mode()); }
  bool lua() const { return std::get<1>(GetParam()) == "lua"; }
  std::vector<std::string> flags() const { return {"--sale-strategy", std::get<1>(GetParam())}; }

  void SetUp() override { started_ = std::chrono::system_clock::now(); }
  // As sale_systest: orders Redis never saw (db, lock) would fail a later `seckill check`.
  void TearDown() override {
    if (!distributed() || lua()) return;
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

std::string admin() {
  return token_for(1, "admin");
}

std::string str(const json::value& v, const char* field) {
  return std::string(v.as_object().at(field).as_string());
}

// Every item of `list_field` over the pages of `path` (which has a query already) until an item
// of `stop_id` has been seen or the last page; each page's `next` checked to be a string or null.
std::vector<json::value> pages(HttpClient& client, const std::string& path, const char* list_field,
                               const std::string& token, const std::string& stop_id,
                               int* page_count = nullptr) {
  std::vector<json::value> out;
  std::optional<std::string> after;
  for (int page = 0; page < 1000; ++page) {
    auto target = after ? fmt::format("{}&after={}", path, *after) : path;
    auto answer = client.request("GET", target, token);
    EXPECT_EQ(answer.status, 200) << target << ": " << answer.body;
    if (answer.status != 200) break;
    const auto parsed = answer.json();
    const auto& body = parsed.as_object();
    bool stop = false;
    for (const auto& item : body.at(list_field).as_array()) {
      out.push_back(item);
      if (str(item, "id") == stop_id) stop = true;
    }
    if (page_count) *page_count = page + 1;
    if (stop || body.at("next").is_null()) break;
    after = std::string(body.at("next").as_string());
  }
  return out;
}

void expect_newest_first(const std::vector<json::value>& items) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto id = std::stoull(str(items[i], "id"));
    EXPECT_TRUE(seen.insert(str(items[i], "id")).second) << "listed twice: " << id;
    if (i > 0) {
      EXPECT_LT(id, std::stoull(str(items[i - 1], "id"))) << "not newest first";
    }
  }
}

// Users no other run of these tests has used: the distributed mode's store outlives a run.
std::uint64_t fresh_users() {
  static std::atomic<std::uint64_t> runs{0};
  return 10'000'000 + static_cast<std::uint64_t>(::getpid() % 100'000) * 1000 + runs++ * 10;
}

bool listed(const std::vector<json::value>& items, const std::string& id) {
  for (const auto& i : items) {
    if (str(i, "id") == id) return true;
  }
  return false;
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Modes, Listings,
                         ::testing::Combine(::testing::Values(Mode::distributed, Mode::embedded),
                                            ::testing::Values("lua", "db", "lock")),
                         mode_name);

TEST_P(Listings, VouchersByStatusPagedNewestFirstWhileVouchersAreAdded) {
  SeckillCluster cluster(1, flags(), mode());
  auto client = cluster.client(0);
  auto ended = create_voucher(client, 5, -120, -60);
  std::vector<std::string> live;
  for (int i = 0; i < 3; ++i)
    live.push_back(create_voucher(client, 5));
  auto upcoming = create_voucher(client, 5, 3600, 7200);
  ASSERT_EQ(client.request("POST", fmt::format("/api/v1/vouchers/{}/orders", live[1]), token_for(9))
                .status,
            201);

  // First page of two, then a voucher is added, then the rest: nothing twice, nothing skipped.
  auto first = client.request("GET", "/api/v1/vouchers?status=live&limit=2", token_for(9));
  ASSERT_EQ(first.status, 200) << first.body;
  auto items = first.json().as_object().at("vouchers").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(str(items[0], "id"), live[2]);
  EXPECT_EQ(str(items[1], "id"), live[1]);
  ASSERT_TRUE(first.json().as_object().at("next").is_string());
  auto added = create_voucher(client, 5);
  auto rest =
      client.request("GET",
                     fmt::format("/api/v1/vouchers?status=live&limit=2&after={}",
                                 std::string(first.json().as_object().at("next").as_string())),
                     token_for(9));
  ASSERT_EQ(rest.status, 200) << rest.body;
  auto next_items = rest.json().as_object().at("vouchers").as_array();
  ASSERT_FALSE(next_items.empty());
  EXPECT_EQ(str(next_items[0], "id"), live[0]) << "the page after continues below the cursor";
  for (const auto& v : next_items)
    EXPECT_NE(str(v, "id"), added) << "a voucher added meanwhile is not in a later page";

  // Each voucher exactly as GET /vouchers/{id} gives it, stock_left included.
  auto one = client.request("GET", "/api/v1/vouchers/" + live[1], token_for(9));
  EXPECT_EQ(items[1], one.json()) << "listed: " << json::serialize(items[1]) << "\n" << one.body;
  EXPECT_EQ(items[1].as_object().at("stock_left").as_int64(), 4);

  // By status: each in its own listing only; absent status lists them all.
  auto live_all =
      pages(client, "/api/v1/vouchers?status=live&limit=3", "vouchers", admin(), live[0]);
  auto upcoming_all =
      pages(client, "/api/v1/vouchers?status=upcoming&limit=3", "vouchers", admin(), upcoming);
  auto ended_all =
      pages(client, "/api/v1/vouchers?status=ended&limit=3", "vouchers", admin(), ended);
  auto every = pages(client, "/api/v1/vouchers?limit=4", "vouchers", admin(), ended);
  expect_newest_first(live_all);
  expect_newest_first(every);
  for (const auto& id : live) {
    EXPECT_TRUE(listed(live_all, id));
    EXPECT_FALSE(listed(upcoming_all, id));
    EXPECT_FALSE(listed(ended_all, id));
  }
  EXPECT_TRUE(listed(upcoming_all, upcoming));
  EXPECT_FALSE(listed(live_all, upcoming));
  EXPECT_TRUE(listed(ended_all, ended));
  EXPECT_FALSE(listed(live_all, ended));
  for (const auto& id : {ended, live[0], live[1], live[2], upcoming, added})
    EXPECT_TRUE(listed(every, id)) << id;
}

TEST_P(Listings, VoucherOrdersIncludePendingAndOwnOrdersAreOnlyTheCallers) {
  SeckillCluster cluster(instances(2), flags(), mode());
  auto client = cluster.client(0);
  auto other = cluster.client(cluster.size() - 1);
  auto voucher = create_voucher(client, 10);
  auto second_voucher = create_voucher(client, 10);
  const std::uint64_t base = fresh_users();
  const std::uint64_t alice = base + 1, bob = base + 2, carol = base + 3, nobody = base + 9;
  auto buy = [&](HttpClient& c, const std::string& v, std::uint64_t user) {
    auto a = c.request("POST", fmt::format("/api/v1/vouchers/{}/orders", v), token_for(user));
    EXPECT_EQ(a.status, 201) << a.body;
    return str(a.json(), "order_id");
  };
  auto alice_first = buy(client, voucher, alice);
  auto bob_order = buy(other, voucher, bob);
  auto alice_second = buy(other, second_voucher, alice);

  // The caller's own orders, newest first, over pages of one; never another user's.
  auto mine = pages(client, "/api/v1/orders?limit=1", "orders", token_for(alice), "");
  ASSERT_EQ(mine.size(), 2u);
  expect_newest_first(mine);
  EXPECT_TRUE(listed(mine, alice_first));
  EXPECT_TRUE(listed(mine, alice_second));
  for (const auto& o : mine)
    EXPECT_EQ(str(o, "user_id"), std::to_string(alice));
  auto bobs = pages(other, "/api/v1/orders", "orders", token_for(bob), "");
  ASSERT_EQ(bobs.size(), 1u);
  EXPECT_EQ(str(bobs[0], "id"), bob_order);
  auto one = client.request("GET", "/api/v1/orders/" + bob_order, token_for(bob));
  EXPECT_EQ(bobs[0], one.json()) << "listed as GET /orders/{id} gives it";
  EXPECT_TRUE(pages(client, "/api/v1/orders", "orders", token_for(nobody), "").empty());

  // A voucher's orders, admin only; 404 for an unknown voucher.
  auto path = fmt::format("/api/v1/vouchers/{}/orders", voucher);
  EXPECT_EQ(client.request("GET", path, token_for(alice)).status, 403);
  EXPECT_EQ(client.request("GET", "/api/v1/vouchers/12345/orders", admin()).error_code(),
            "not_found");
  auto all = pages(client, path + "?limit=1", "orders", admin(), "");
  ASSERT_EQ(all.size(), 2u);
  expect_newest_first(all);
  EXPECT_TRUE(listed(all, alice_first));
  EXPECT_TRUE(listed(all, bob_order));

  if (!(distributed() && lua())) return;
  // Pending: the order writers cannot insert while the test holds the table (reads go on), so
  // carol's order stays in the voucher's stream, taken but not stored.
  PGconn* pg = PQconnectdb(postgres_url().c_str());
  PQclear(PQexec(pg, "begin; lock table orders in exclusive mode"));
  auto carol_order = buy(client, voucher, carol);
  auto with_pending = pages(other, path, "orders", admin(), "");
  auto carols = pages(other, "/api/v1/orders", "orders", token_for(carol), "");
  PQclear(PQexec(pg, "commit"));
  PQfinish(pg);
  // (Ids from different instances do not order by time: carol's need not come first.)
  ASSERT_EQ(with_pending.size(), 3u);
  expect_newest_first(with_pending);
  ASSERT_TRUE(listed(with_pending, carol_order));
  for (const auto& o : with_pending) {
    if (str(o, "id") == carol_order) {
      EXPECT_EQ(str(o, "status"), "pending");
    }
  }
  ASSERT_EQ(carols.size(), 1u);
  EXPECT_EQ(str(carols[0], "id"), carol_order);
  EXPECT_EQ(str(carols[0], "status"), "pending");
}

TEST_P(Listings, EndingASaleReachesEveryInstanceAndKeepsItsOrders) {
  SeckillCluster cluster(instances(2), flags(), mode());
  auto first = cluster.client(0);
  auto second = cluster.client(cluster.size() - 1);
  auto voucher = create_voucher(first, 10);
  auto purchase = fmt::format("/api/v1/vouchers/{}/orders", voucher);
  auto taken = second.request("POST", purchase, token_for(830'001));
  ASSERT_EQ(taken.status, 201) << taken.body;  // the second instance has the voucher cached

  EXPECT_EQ(
      first.request("POST", fmt::format("/api/v1/vouchers/{}/end", voucher), token_for(5)).status,
      403);
  EXPECT_EQ(first.request("POST", "/api/v1/vouchers/12345/end", admin()).error_code(), "not_found");
  auto before = std::chrono::system_clock::now();
  auto ended = first.request("POST", fmt::format("/api/v1/vouchers/{}/end", voucher), admin());
  ASSERT_EQ(ended.status, 200) << ended.body;
  auto end_at = seckill::parse_rfc3339(str(ended.json(), "end_at"));
  ASSERT_TRUE(end_at);
  EXPECT_GE(*end_at, before - std::chrono::seconds(1));
  EXPECT_LE(*end_at, std::chrono::system_clock::now());
  EXPECT_EQ(str(ended.json(), "id"), voucher);

  // Polled with the buyer, who already holds an order: `already_ordered` until the end is
  // known there, `ended` after, and nothing taken meanwhile.
  std::string code;
  for (int i = 0; i < 100 && code != "ended"; ++i) {
    code = second.request("POST", purchase, token_for(830'001)).error_code();
    if (code != "ended") std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(code, "ended") << "the second instance never learned that the sale ended";
  auto late = second.request("POST", purchase, token_for(830'002));
  EXPECT_EQ(late.status, 409);
  EXPECT_EQ(late.error_code(), "ended");
  EXPECT_EQ(first.request("POST", purchase, token_for(830'003)).error_code(), "ended");

  // Ending again: 200, unchanged. The order taken before stays, and the voucher lists as ended.
  auto again = first.request("POST", fmt::format("/api/v1/vouchers/{}/end", voucher), admin());
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(str(again.json(), "end_at"), str(ended.json(), "end_at"));
  EXPECT_EQ(str(second.request("GET", "/api/v1/vouchers/" + voucher, admin()).json(), "end_at"),
            str(ended.json(), "end_at"));
  auto orders =
      pages(first, fmt::format("/api/v1/vouchers/{}/orders", voucher), "orders", admin(), "");
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(str(orders[0], "id"), str(taken.json(), "order_id"));
  auto ended_list = pages(first, "/api/v1/vouchers?status=ended", "vouchers", admin(), voucher);
  EXPECT_TRUE(listed(ended_list, voucher));
}

TEST_P(Listings, BadListingInputIsA400NamingIt) {
  SeckillCluster cluster(1, flags(), mode());
  auto client = cluster.client(0);
  create_voucher(client, 3);
  auto voucher = create_voucher(client, 3);  // two, so the first page of one has a next
  auto voucher_cursor = client.request("GET", "/api/v1/vouchers?limit=1", admin());
  ASSERT_EQ(voucher_cursor.status, 200);
  const auto cursor_page = voucher_cursor.json();
  const auto& next = cursor_page.as_object().at("next");
  ASSERT_TRUE(next.is_string()) << voucher_cursor.body;
  const std::string cursor(next.as_string());
  const auto orders = fmt::format("/api/v1/vouchers/{}/orders", voucher);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/api/v1/vouchers?status=soon", "status"},
      {"/api/v1/vouchers?limit=0", "limit"},
      {"/api/v1/vouchers?limit=501", "limit"},
      {"/api/v1/vouchers?limit=ten", "limit"},
      {"/api/v1/vouchers?limit=", "limit"},
      {"/api/v1/vouchers?after=not-a-cursor!", "after"},
      {"/api/v1/vouchers?after=" + seckill::auth::base64url_encode("v:12x"), "after"},
      {"/api/v1/orders?limit=-1", "limit"},
      {"/api/v1/orders?after=" + cursor, "after"},  // a voucher listing's cursor
      {orders + "?limit=1000", "limit"},
      {orders + "?after=" + seckill::auth::base64url_encode("o:-5"), "after"},
  };
  for (const auto& [target, names] : cases) {
    auto answer = client.request("GET", target, admin());
    EXPECT_EQ(answer.status, 400) << target << ": " << answer.body;
    EXPECT_EQ(answer.error_code(), "bad_request") << target;
    auto message =
        answer.json().is_object()
            ? std::string(
                  answer.json().as_object().at("error").as_object().at("message").as_string())
            : "";
    EXPECT_NE(message.find(names), std::string::npos) << target << ": " << message;
  }
  EXPECT_EQ(client.request("GET", "/api/v1/vouchers?limit=500&after=" + cursor, admin()).status,
            200)
      << "the voucher cursor is good where it came from";
}
