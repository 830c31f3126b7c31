#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "metrics/counter.hpp"
#include "metrics/histogram.hpp"
#include "metrics/request_metrics.hpp"
#include "metrics/text_format.hpp"
#include "metrics/voucher_outcomes.hpp"

namespace seckill::metrics {
namespace {

using namespace std::chrono_literals;

bool has_line(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(ShardedCounters, SumsEveryThreadsAdds) {
  ShardedCounters counters(3);
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) {
        counters.add(1);
        counters.add(2, 2);
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(counters.value(0), 0u);
  EXPECT_EQ(counters.value(1), 120'000u);
  EXPECT_EQ(counters.value(2), 240'000u);
}

TEST(LatencyHistograms, BucketsAreCumulativeAndSumIsInSeconds) {
  LatencyHistograms h(2);
  h.observe(1, 50us);   // <= 0.0001
  h.observe(1, 100us);  // <= 0.0001 (bounds are inclusive)
  h.observe(1, 3ms);    // <= 0.005
  h.observe(1, 20s);    // +Inf only
  h.observe(1, -5ns);   // a clock step: counted as 0
  auto s = h.snapshot(1);
  EXPECT_EQ(s.cumulative[0], 3u);
  EXPECT_EQ(s.cumulative[4], 3u);   // <= 0.0025
  EXPECT_EQ(s.cumulative[5], 4u);   // <= 0.005
  EXPECT_EQ(s.cumulative[15], 4u);  // <= 10
  EXPECT_EQ(s.count(), 5u);
  EXPECT_NEAR(s.sum_seconds, 20.00315, 1e-9);
  EXPECT_EQ(h.snapshot(0).count(), 0u);
}

TEST(TextFormat, EscapesLabelValues) {
  EXPECT_EQ(label("route", "/a\"b\\c\nd"), "route=\"/a\\\"b\\\\c\\nd\"");
}

TEST(TextFormat, WritesFamiliesSamplesAndHistograms) {
  std::string out;
  write_family(out, "seckill_x_total", "counter", "Things.");
  write_sample(out, "seckill_x_total", "", std::uint64_t{7});
  write_sample(out, "seckill_x_total", "a=\"b\"", std::uint64_t{8});
  EXPECT_EQ(out,
            "# HELP seckill_x_total Things.\n# TYPE seckill_x_total counter\nseckill_x_total 7\n"
            "seckill_x_total{a=\"b\"} 8\n");
  LatencyHistograms h(1);
  h.observe(0, 2ms);
  out.clear();
  write_histogram(out, "seckill_t_seconds", "r=\"x\"", h.snapshot(0));
  EXPECT_TRUE(has_line(out, "seckill_t_seconds_bucket{r=\"x\",le=\"0.001\"} 0")) << out;
  EXPECT_TRUE(has_line(out, "seckill_t_seconds_bucket{r=\"x\",le=\"0.0025\"} 1")) << out;
  EXPECT_TRUE(has_line(out, "seckill_t_seconds_bucket{r=\"x\",le=\"+Inf\"} 1")) << out;
  EXPECT_TRUE(has_line(out, "seckill_t_seconds_sum{r=\"x\"} 0.002")) << out;
  EXPECT_TRUE(has_line(out, "seckill_t_seconds_count{r=\"x\"} 1")) << out;
}

TEST(ValueHistogram, CountsValuesIntoBuckets) {
  static constexpr std::array<double, 3> kBounds = {1, 10, 100};
  ValueHistogram h(kBounds);
  h.observe(1);
  h.observe(50);
  h.observe(500);
  std::string out;
  h.write(out, "seckill_batch_rows", "");
  EXPECT_TRUE(has_line(out, "seckill_batch_rows_bucket{le=\"1\"} 1")) << out;
  EXPECT_TRUE(has_line(out, "seckill_batch_rows_bucket{le=\"100\"} 2")) << out;
  EXPECT_TRUE(has_line(out, "seckill_batch_rows_bucket{le=\"+Inf\"} 3")) << out;
  EXPECT_TRUE(has_line(out, "seckill_batch_rows_sum 551")) << out;
  EXPECT_TRUE(has_line(out, "seckill_batch_rows_count 3")) << out;
}

TEST(RequestMetrics, CountsByRoutePatternAndStatus) {
  RequestMetrics m({{"GET", "/healthz"}, {"POST", "/api/v1/vouchers/{id:u64}/orders"}});
  m.observe(0, 200, 10us);
  m.observe(1, 201, 1ms);
  m.observe(1, 409, 1ms);
  m.observe(1, 409, 1ms);
  m.observe(1, 418, 1ms);   // a status without its own slot
  m.observe(99, 404, 1ms);  // no route
  std::string out;
  m.write(out);
  const std::string orders = "method=\"POST\",route=\"/api/v1/vouchers/{id:u64}/orders\"";
  EXPECT_TRUE(has_line(
      out, "seckill_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"))
      << out;
  EXPECT_TRUE(has_line(out, "seckill_http_requests_total{" + orders + ",status=\"409\"} 2")) << out;
  EXPECT_TRUE(has_line(out, "seckill_http_requests_total{" + orders + ",status=\"other\"} 1"))
      << out;
  EXPECT_TRUE(has_line(
      out, "seckill_http_requests_total{method=\"\",route=\"unmatched\",status=\"404\"} 1"))
      << out;
  EXPECT_TRUE(has_line(out, "seckill_http_request_duration_seconds_count{" + orders + "} 4"))
      << out;
  EXPECT_NE(out.find("# TYPE seckill_http_request_duration_seconds histogram"), std::string::npos);
}

TEST(VoucherOutcomes, CountsTakenAndRefusalsPerVoucher) {
  VoucherOutcomes o;
  o.record(7, std::nullopt);
  o.record(7, ErrorCode::sold_out);
  o.record(7, ErrorCode::sold_out);
  o.record(8, ErrorCode::already_ordered);
  o.record(9, ErrorCode::not_found);  // no such voucher: not recorded
  auto seven = o.counts(7);
  EXPECT_EQ(seven[0], 1u);
  EXPECT_EQ(seven[VoucherOutcomes::slot(ErrorCode::sold_out)], 2u);
  EXPECT_EQ(o.counts(8)[VoucherOutcomes::slot(ErrorCode::already_ordered)], 1u);
  EXPECT_EQ(o.all().size(), 2u);
  EXPECT_EQ(o.counts(9)[0], 0u);
}

TEST(VoucherOutcomes, KeepsPerSecondCountsForTheLastMinutes) {
  VoucherOutcomes o;
  const std::int64_t t = 1'800'000'000;
  o.record(7, std::nullopt, t);
  o.record(7, std::nullopt, t);
  o.record(7, ErrorCode::sold_out, t + 1);
  o.record(7, ErrorCode::sold_out, t + 3);
  o.record(7, ErrorCode::already_ordered, t + 3);
  auto seconds = o.history(7, t + 3);
  ASSERT_EQ(seconds.size(), 3u);  // t+2 had no attempt
  EXPECT_EQ(seconds[0].unix_s, t);
  EXPECT_EQ(seconds[0].counts[0], 2u);
  EXPECT_EQ(seconds[1].unix_s, t + 1);
  EXPECT_EQ(seconds[1].counts[VoucherOutcomes::slot(ErrorCode::sold_out)], 1u);
  EXPECT_EQ(seconds[2].counts[VoucherOutcomes::slot(ErrorCode::sold_out)], 1u);
  EXPECT_EQ(seconds[2].counts[VoucherOutcomes::slot(ErrorCode::already_ordered)], 1u);
  EXPECT_TRUE(o.history(8, t + 3).empty());

  // Ten minutes on, the first seconds have left the window; a bucket reused for a new second
  // starts from zero.
  const std::int64_t later = t + VoucherOutcomes::kHistorySeconds;
  seconds = o.history(7, later);
  ASSERT_EQ(seconds.size(), 2u);
  EXPECT_EQ(seconds[0].unix_s, t + 1);
  o.record(7, ErrorCode::ended, later);
  seconds = o.history(7, later);
  ASSERT_EQ(seconds.size(), 3u);
  EXPECT_EQ(seconds[2].unix_s, later);
  EXPECT_EQ(seconds[2].counts[0], 0u);
  EXPECT_EQ(seconds[2].counts[VoucherOutcomes::slot(ErrorCode::ended)], 1u);
  // An attempt stamped before its bucket's newer second is left out, not counted there.
  o.record(7, std::nullopt, t);
  EXPECT_EQ(o.history(7, later).back().counts[0], 0u);
  EXPECT_EQ(o.counts(7)[0], 3u);  // the totals keep it
}

TEST(VoucherOutcomes, HistoryForTheFirstVouchersOnly) {
  VoucherOutcomes o;
  const std::int64_t t = 1'800'000'000;
  for (std::uint64_t id = 1; id <= VoucherOutcomes::kMaxHistoryVouchers + 1; ++id)
    o.record(id, std::nullopt, t);
  EXPECT_EQ(o.history(VoucherOutcomes::kMaxHistoryVouchers, t).size(), 1u);
  EXPECT_TRUE(o.history(VoucherOutcomes::kMaxHistoryVouchers + 1, t).empty());
  EXPECT_EQ(o.counts(VoucherOutcomes::kMaxHistoryVouchers + 1)[0], 1u);
}

}  // namespace
}  // namespace seckill::metrics
