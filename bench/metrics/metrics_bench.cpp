// What the instrumentation adds to every request, piece by piece: the route/status counter and
// latency histogram (RequestMetrics::observe), the steady_clock reads around the handler, the
// request id (made, and set on the request) and its echo in the response. Compare with the
// whole request's cost: ~13 µs at ~77k req/s on one core (docs/benchmarks.md, LIMITS.md).
#include <chrono>
#include <thread>

#include <benchmark/benchmark.h>

#include "http/request_id.hpp"
#include "http/response.hpp"
#include "metrics/backend_calls.hpp"
#include "metrics/request_metrics.hpp"

namespace {

using namespace std::chrono_literals;
using seckill::metrics::RequestMetrics;

std::vector<RequestMetrics::Route> some_routes() {
  return {{"GET", "/healthz"}, {"GET", "/readyz"}, {"POST", "/api/v1/vouchers/{id:u64}/orders"}};
}

void BM_RequestMetricsObserve(benchmark::State& state) {
  static RequestMetrics metrics(some_routes());
  for (auto _ : state) {
    metrics.observe(0, 200, 40us);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RequestMetricsObserve)->Threads(1)->Threads(2);

void BM_TwoClockReads(benchmark::State& state) {
  for (auto _ : state) {
    auto a = std::chrono::steady_clock::now();
    auto b = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(b - a);
  }
}
BENCHMARK(BM_TwoClockReads);

void BM_RequestIdMadeAndEchoed(benchmark::State& state) {
  for (auto _ : state) {
    seckill::http::Request request;
    auto id = seckill::http::ensure_request_id(request);
    auto response = seckill::http::Response::from_static(boost::beast::http::status::ok, "{}");
    response.set_request_id(id);
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_RequestIdMadeAndEchoed);

void BM_BaselineRequestAndResponse(benchmark::State& state) {
  // The same objects without the id, to subtract.
  for (auto _ : state) {
    seckill::http::Request request;
    auto response = seckill::http::Response::from_static(boost::beast::http::status::ok, "{}");
    benchmark::DoNotOptimize(request);
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_BaselineRequestAndResponse);

void BM_CallTimer(benchmark::State& state) {
  static seckill::metrics::BackendCalls calls;
  for (auto _ : state) {
    seckill::metrics::CallTimer timer(&calls, seckill::metrics::Backend::redis);
    timer.ok();
  }
}
BENCHMARK(BM_CallTimer);

}  // namespace

BENCHMARK_MAIN();
