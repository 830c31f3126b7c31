#include "loadgen/http_load.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "loadgen/response_head.hpp"

namespace seckill::loadgen {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kGrace = std::chrono::seconds(10);

/// What one thread counts; only its own thread writes it, so no locks on the hot path. The two
/// atomics are read by the progress line.
struct alignas(64) ThreadStats {
  LatencyHistogram latency;
  std::array<std::uint64_t, 600> statuses{};
  std::vector<std::pair<std::string, std::uint64_t>> codes;
  std::uint64_t counted = 0;
  std::uint64_t errors = 0;
  Clock::time_point last_answer{};
  std::vector<std::uint64_t> per_interval;
  std::atomic<std::uint64_t> answered{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> non2xx{0};

  void count_code(std::string_view code) {
    for (auto& [name, n] : codes) {
      if (name == code) {
        ++n;
        return;
      }
    }
    codes.emplace_back(std::string(code), 1);
  }
};

struct Run {
  const LoadSpec* spec = nullptr;
  std::vector<tcp::endpoint> endpoints;
  std::vector<std::string> host_headers;
  Clock::time_point start;
  Clock::time_point measure_from;
  Clock::time_point deadline;
  Clock::duration interval{};
  std::atomic<std::uint64_t> next_seq{0};
  std::atomic<bool> finished{false};  ///< the plan ran out: every connection stops

  bool should_stop(Clock::time_point now) const {
    return finished.load(std::memory_order_relaxed) || now >= deadline ||
           (spec->stop != nullptr && spec->stop->load(std::memory_order_relaxed));
  }
};

// One connection: send, read the whole answer, count, again. Arguments by value (pointers to
// objects that outlive the io_context), never captured.
asio::awaitable<void> drive(Run* run, ThreadStats* stats, std::size_t target, unsigned index) {
  auto ex = co_await asio::this_coro::executor;
  const LoadSpec& spec = *run->spec;
  const auto& opts = spec.options;
  tcp::socket socket(ex);
  asio::steady_timer timer(ex);
  std::string out;
  std::string scratch_token;
  std::string in(16 * 1024, '\0');
  std::size_t filled = 0;
  const bool open_loop = opts.rate > 0;
  // Open loop: this connection's share of the rate, its first send staggered so the
  // connections do not fire together.
  Clock::duration period{};
  Clock::time_point due = run->start;
  if (open_loop) {
    const double per_conn = opts.rate / static_cast<double>(opts.connections);
    period =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / per_conn));
    due += std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(static_cast<double>(index) / opts.rate));
  }
  const auto fail = [&] {
    ++stats->errors;
    stats->failed.fetch_add(1, std::memory_order_relaxed);
    boost::system::error_code ignored;
    socket.close(ignored);
    filled = 0;
  };

  while (!run->should_stop(Clock::now())) {
    if (!socket.is_open()) {
      auto [ec] = co_await socket.async_connect(run->endpoints[target], kTuple);
      if (ec) {
        fail();
        timer.expires_after(std::chrono::milliseconds(100));
        co_await timer.async_wait(kTuple);
        continue;
      }
      socket.set_option(tcp::no_delay(true));
    }
    if (open_loop) {
      if (Clock::now() < due) {
        timer.expires_at(due);
        co_await timer.async_wait(kTuple);
        if (run->should_stop(Clock::now())) break;
      }
    }
    const auto seq = run->next_seq.fetch_add(1, std::memory_order_relaxed);
    const auto planned = spec.plan.at(seq);
    if (!planned) {
      run->finished.store(true, std::memory_order_relaxed);
      break;
    }
    std::string_view token;
    if (planned->user != 0) token = spec.tokens->token(planned->user, scratch_token);
    out.clear();
    append_request(out, planned->kind, run->host_headers[target], spec.voucher, spec.ticket, token);
    const auto sent = open_loop ? due : Clock::now();
    if (open_loop) due += period;

    auto [wec, written] = co_await asio::async_write(socket, asio::buffer(out), kTuple);
    if (wec) {
      fail();
      continue;
    }
    ResponseHead head;
    bool broken = false;
    for (;;) {
      if (filled > 0) {
        head = parse_response_head(std::string_view(in.data(), filled));
        if (head.state == ResponseHead::State::malformed) {
          broken = true;
          break;
        }
        if (head.state == ResponseHead::State::complete &&
            filled >= head.head_size + head.content_length) {
          break;
        }
      }
      if (filled == in.size()) in.resize(in.size() * 2);
      auto [rec, n] = co_await socket.async_read_some(
          asio::buffer(in.data() + filled, in.size() - filled), kTuple);
      if (rec) {
        broken = true;
        break;
      }
      filled += n;
    }
    if (broken) {
      fail();
      continue;
    }
    const auto now = Clock::now();
    stats->last_answer = now;
    const std::size_t bucket = static_cast<std::size_t>((now - run->start) / run->interval);
    if (bucket >= stats->per_interval.size()) stats->per_interval.resize(bucket + 1);
    ++stats->per_interval[bucket];
    stats->answered.fetch_add(1, std::memory_order_relaxed);
    if (head.status >= 300) stats->non2xx.fetch_add(1, std::memory_order_relaxed);
    if (now >= run->measure_from) {
      ++stats->counted;
      stats->latency.record(now - sent);
      const int status = head.status;
      ++stats->statuses[static_cast<std::size_t>(std::clamp(status, 0, 599))];
      if (status >= 300) {
        stats->count_code(
            error_code_of(std::string_view(in.data() + head.head_size, head.content_length)));
      }
    }
    const auto used = head.head_size + head.content_length;
    if (filled > used) {
      std::copy(in.begin() + static_cast<std::ptrdiff_t>(used),
                in.begin() + static_cast<std::ptrdiff_t>(filled), in.begin());
    }
    filled -= used;
    if (head.close) {
      boost::system::error_code ignored;
      socket.close(ignored);
      filled = 0;
    }
  }
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

void print_progress(const Run& run, const std::vector<std::unique_ptr<ThreadStats>>& stats,
                    std::uint64_t& last_answered, Clock::time_point& last_time, bool tty) {
  std::uint64_t answered = 0, non2xx = 0, failed = 0;
  for (const auto& s : stats) {
    answered += s->answered.load(std::memory_order_relaxed);
    non2xx += s->non2xx.load(std::memory_order_relaxed);
    failed += s->failed.load(std::memory_order_relaxed);
  }
  const auto now = Clock::now();
  const double dt = std::chrono::duration<double>(now - last_time).count();
  const double rps = dt > 0 ? static_cast<double>(answered - last_answered) / dt : 0;
  const double t = std::chrono::duration<double>(now - run.start).count();
  fmt::print(stderr, "{}[{:6.1f}s] {:>9.0f} req/s  answered {:>10}  non-2xx {:>9}  errors {}{}",
             tty ? "\r" : "", t, rps, answered, non2xx, failed, tty ? "   " : "\n");
  std::fflush(stderr);
  last_answered = answered;
  last_time = now;
}

}  // namespace

BenchReport run_load(const LoadSpec& spec) {
  const auto& opts = spec.options;
  if (opts.connections == 0 || opts.targets.empty()) {
    throw std::invalid_argument("at least one connection and one target");
  }
  const unsigned n_threads = std::max(1u, std::min(opts.threads, opts.connections));

  Run run;
  run.spec = &spec;
  {
    asio::io_context resolve_ctx;
    tcp::resolver resolver(resolve_ctx);
    for (const auto& t : opts.targets) {
      boost::system::error_code ec;
      auto results = resolver.resolve(t.host, std::to_string(t.port), ec);
      if (ec || results.empty()) {
        throw std::runtime_error(fmt::format("--target {}:{}: {}", t.host, t.port, ec.message()));
      }
      run.endpoints.push_back(*results.begin());
      run.host_headers.push_back(fmt::format("{}:{}", t.host, t.port));
    }
  }

  // Declared before the contexts: coroutine frames still suspended when a context is destroyed
  // point at them.
  std::vector<std::unique_ptr<ThreadStats>> stats;
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (unsigned t = 0; t < n_threads; ++t) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
    stats.push_back(std::make_unique<ThreadStats>());
  }
  BenchReport report;
  report.options = opts;
  report.voucher = spec.voucher;
  report.ticket = spec.ticket;
  run.interval =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(report.interval_s));
  run.start = Clock::now();
  run.measure_from = run.start + opts.warmup;
  run.deadline = run.measure_from + opts.duration;
  for (unsigned c = 0; c < opts.connections; ++c) {
    const unsigned t = c % n_threads;
    asio::co_spawn(*contexts[t], drive(&run, stats[t].get(), c % run.endpoints.size(), c),
                   asio::detached);
  }
  std::atomic<unsigned> running{n_threads};
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < n_threads; ++t) {
    threads.emplace_back([&, t] {
      contexts[t]->run();
      running.fetch_sub(1);
    });
  }
  const bool tty = isatty(STDERR_FILENO) != 0;
  std::uint64_t last_answered = 0;
  auto last_time = run.start;
  auto next_print = run.start + std::chrono::seconds(1);
  bool cut = false;
  while (running.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    // A server that stops answering must not hang the run: past the end plus a grace, the
    // requests still in flight are abandoned.
    if (!cut && Clock::now() > run.deadline + kGrace) {
      cut = true;
      for (auto& c : contexts)
        c->stop();
    }
    if (opts.progress && Clock::now() >= next_print) {
      print_progress(run, stats, last_answered, last_time, tty);
      next_print += std::chrono::seconds(1);
    }
  }
  for (auto& th : threads)
    th.join();
  auto end = run.measure_from;
  for (const auto& s : stats)
    end = std::max(end, s->last_answer);
  if (opts.progress && tty) fmt::print(stderr, "\n");

  report.elapsed_s = std::chrono::duration<double>(end - run.measure_from).count();
  for (const auto& s : stats) {
    report.latency.merge(s->latency);
    report.requests += s->counted;
    report.transport_errors += s->errors;
    for (std::size_t st = 0; st < s->statuses.size(); ++st) {
      if (s->statuses[st] != 0) report.statuses[static_cast<int>(st)] += s->statuses[st];
    }
    for (const auto& [code, n] : s->codes)
      report.codes[code.empty() ? "(none)" : code] += n;
    if (s->per_interval.size() > report.answered_per_interval.size()) {
      report.answered_per_interval.resize(s->per_interval.size());
    }
    for (std::size_t i = 0; i < s->per_interval.size(); ++i)
      report.answered_per_interval[i] += s->per_interval[i];
  }
  return report;
}

}  // namespace seckill::loadgen
