#include "id/id_generator.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <string>
#include <time.h>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/infra_error.hpp"
#include "id/id_exhausted.hpp"
#include "id/id_layout.hpp"

namespace seckill::id {

namespace asio = boost::asio;
using ErrorCode = boost::system::error_code;
// One per waiting next(): thread-safe, and a send before the receive is kept (capacity 1).
using Waiter = std::shared_ptr<asio::experimental::concurrent_channel<void(ErrorCode)>>;

std::chrono::system_clock::time_point coarse_system_now() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return std::chrono::system_clock::time_point{
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds{ts.tv_sec} + std::chrono::nanoseconds{ts.tv_nsec})};
}

namespace {

/// A reserved block of one day's sequence, [lo, hi], lo >= 1, hi <= kMaxSequence.
struct Block {
  std::uint32_t day = 0;
  std::uint64_t lo = 0;
  std::uint64_t hi = 0;
};

/// Why the fast path found no id.
enum class Miss {
  kRetry,      // the block changed under us, or we spun too long: try again
  kPending,    // a fetch is under way: wait for the next event
  kFailing,    // the last fetch failed: report it
  kExhausted,  // the day's sequence, or the 31-bit second, is used up
  kStopped,    // the generator is being destroyed
};

struct MissInfo {
  explicit MissInfo(Miss w = Miss::kRetry) : why(w) {}

  Miss why;
  std::uint64_t events = 0;  // the event count to wait past (kPending)
  std::exception_ptr error;  // kFailing
  bool clock_past_end = false;
};

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/// Exceptions from the source become InfraError, so that next() keeps its contract even if a
/// backend throws something else.
std::exception_ptr as_infra_error(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const InfraError&) {
    return error;
  } catch (const std::exception& e) {
    return std::make_exception_ptr(InfraError(std::string("id sequence source: ") + e.what()));
  } catch (...) {
    return std::make_exception_ptr(InfraError("id sequence source: unknown failure"));
  }
}

}  // namespace

namespace detail {

struct IdGeneratorState : std::enable_shared_from_this<IdGeneratorState> {
  IdGeneratorState(asio::any_io_executor ex, std::shared_ptr<SequenceSource> src,
                   IdGeneratorOptions opts)
      : executor(std::move(ex)), source(std::move(src)), options(std::move(opts)) {
    if (!options.clock) options.clock = coarse_system_now;
    options.block_size = std::max<std::uint32_t>(options.block_size, 1);
    options.max_block_size = std::max(options.max_block_size, options.block_size);
    options.prefetch_at_percent = std::min(options.prefetch_at_percent, 100U);
    step = options.block_size;
    if (options.after_id != 0) last_second.store(decode(options.after_id).seconds);
  }

  // The block in use, read by every call. Written only under `mutex`, as a seqlock: `version` is
  // odd while a writer changes the fields. All on one cache line: the fetch_add on `next` takes
  // the line exclusively anyway, so the other fields come with it.
  struct alignas(64) Hot {
    std::atomic<std::uint64_t> version{0};
    std::atomic<std::uint64_t> next{1};     // the next sequence number to hand out
    std::atomic<std::uint64_t> hi{0};       // last usable number; 0: no block yet
    std::atomic<std::uint64_t> trigger{0};  // from this number on, ask for the next block
    std::atomic<std::uint32_t> day{0};
    std::atomic<bool> prefetch_asked{true};
  } hot;

  // Read by every call, written once a second: its own line, so it stays shared in all caches.
  alignas(64) std::atomic<std::uint32_t> last_second{0};

  alignas(64) mutable std::mutex mutex;
  const asio::any_io_executor executor;
  const std::shared_ptr<SequenceSource> source;
  IdGeneratorOptions options;  // constant after construction

  // Under `mutex`:
  std::optional<Block> prefetched;
  bool fetching = false;  // fetch_blocks() is running (fetching or backing off)
  bool stopped = false;
  std::uint32_t wanted_day = 0;  // the latest day a caller needed a block of
  std::optional<std::uint32_t> exhausted_day;
  std::exception_ptr error;  // the last fetch failed with this; cleared by a success
  std::uint64_t events = 0;  // counts installs, failures, exhaustion: what waiters wait for
  std::vector<Waiter> waiters;
  std::uint32_t step = 0;  // the size of the next block to ask for
  std::chrono::steady_clock::time_point installed_at;
  IdGeneratorStats stats;

  /// max(now, last second used), remembered. Later calls (on any thread) see at least this.
  std::uint32_t raise_second(std::uint32_t now) noexcept {
    std::uint32_t last = last_second.load(std::memory_order_acquire);
    while (now > last && !last_second.compare_exchange_weak(last, now, std::memory_order_acq_rel,
                                                            std::memory_order_acquire)) {
    }
    return std::max(now, last);
  }

  std::optional<std::uint64_t> take(MissInfo* miss) {
    for (int attempt = 0; attempt < 64; ++attempt) {
      const auto t = options.clock();
      std::uint32_t now = 0;
      if (const auto s = seconds_since_epoch(t)) {
        now = *s;
      } else if (t >= kEpoch) {
        if (miss != nullptr) {
          *miss = MissInfo(Miss::kExhausted);
          miss->clock_past_end = true;
        }
        return std::nullopt;
      }  // else a clock before 2024 is plainly wrong: keep the last second (0 at worst)
      std::uint32_t s = raise_second(now);
      const std::uint32_t d = day_of(s);

      const std::uint64_t v1 = hot.version.load(std::memory_order_acquire);
      if ((v1 & 1) != 0) {  // a switch is half-way: it takes a few stores
        cpu_relax();
        continue;
      }
      // Seqlock read without fences (Boehm, "Can seqlocks get along with programming language
      // memory models?"): acquire loads of the data keep the second version load after them,
      // and reading any store of a writer makes its odd version visible to that load. Free on
      // x86, and understood by ThreadSanitizer, which fences are not.
      const std::uint32_t day = hot.day.load(std::memory_order_acquire);
      const std::uint64_t hi = hot.hi.load(std::memory_order_acquire);
      const std::uint64_t trigger = hot.trigger.load(std::memory_order_acquire);
      if (hi != 0 && day >= d) {
        const std::uint64_t seq = hot.next.fetch_add(1, std::memory_order_acq_rel);
        if (hot.version.load(std::memory_order_relaxed) != v1) continue;  // the number is lost
        if (seq <= hi) {
          // Another thread moved to a later day than our clock reading: follow it, its seconds
          // are the ones of this block's day.
          if (day > d) {
            s = raise_second(first_second_of(day));
            if (day_of(s) != day) continue;  // and meanwhile to a later one still: number lost
          }
          if (seq >= trigger && !hot.prefetch_asked.load(std::memory_order_relaxed)) {
            ask_prefetch(v1);
          }
          return (std::uint64_t{s} << 32) | seq;
        }
      }
      MissInfo info = need_block(v1, d);
      if (info.why != Miss::kRetry) {
        if (miss != nullptr) *miss = std::move(info);
        return std::nullopt;
      }
    }
    if (miss != nullptr) *miss = MissInfo(Miss::kRetry);
    return std::nullopt;
  }

  /// The block of version `v` is used up or of an earlier day than `d` (or there is none).
  MissInfo need_block(std::uint64_t v, std::uint32_t d) {
    std::unique_lock lock(mutex);
    if (stopped) return MissInfo(Miss::kStopped);
    if (hot.version.load(std::memory_order_relaxed) != v) return MissInfo(Miss::kRetry);
    if (prefetched && prefetched->day < d) prefetched.reset();
    if (prefetched) {
      install(*prefetched);
      prefetched.reset();
      return MissInfo(Miss::kRetry);
    }
    if (exhausted_day && *exhausted_day >= d) return MissInfo(Miss::kExhausted);
    wanted_day = std::max(wanted_day, d);
    MissInfo info(error ? Miss::kFailing : Miss::kPending);
    info.events = events;
    info.error = error;
    const bool spawn = !fetching;
    fetching = true;
    lock.unlock();
    if (spawn) start_fetch();
    return info;
  }

  /// Called once per block, when `prefetch_at_percent` of it is used.
  void ask_prefetch(std::uint64_t v) {
    std::unique_lock lock(mutex);
    if (stopped || hot.version.load(std::memory_order_relaxed) != v ||
        hot.prefetch_asked.load(std::memory_order_relaxed)) {
      return;
    }
    hot.prefetch_asked.store(true, std::memory_order_relaxed);
    if (prefetched || fetching) return;
    wanted_day = std::max(wanted_day, hot.day.load(std::memory_order_relaxed));
    fetching = true;
    lock.unlock();
    start_fetch();
  }

  /// Makes `b` the block in use. Under `mutex`.
  void install(const Block& b) {
    const std::uint64_t v = hot.version.load(std::memory_order_relaxed);
    // Release stores: whoever reads one of them also sees the odd version (see take()).
    hot.version.store(v + 1, std::memory_order_relaxed);
    hot.day.store(b.day, std::memory_order_release);
    hot.hi.store(b.hi, std::memory_order_release);
    hot.trigger.store(b.lo + (b.hi - b.lo + 1) * options.prefetch_at_percent / 100,
                      std::memory_order_release);
    hot.prefetch_asked.store(false, std::memory_order_relaxed);
    hot.next.store(b.lo, std::memory_order_release);
    hot.version.store(v + 2, std::memory_order_release);

    const auto now = std::chrono::steady_clock::now();
    if (stats.blocks_used > 0) {
      const auto life = now - installed_at;
      if (life < options.target_block_life && step < options.max_block_size) {
        step = static_cast<std::uint32_t>(
            std::min<std::uint64_t>(std::uint64_t{step} * 2, options.max_block_size));
      } else if (life > 4 * options.target_block_life && step > options.block_size) {
        step = std::max(step / 2, options.block_size);
      }
    }
    installed_at = now;
    ++stats.blocks_used;
  }

  /// Whether the block in use can still hand out numbers of day `d`. Under `mutex`.
  bool current_usable_for(std::uint32_t d) const {
    const std::uint64_t hi = hot.hi.load(std::memory_order_relaxed);
    return hi != 0 && hot.next.load(std::memory_order_relaxed) <= hi &&
           hot.day.load(std::memory_order_relaxed) >= d;
  }

  /// Wakes every waiter. Takes `lock` (on `mutex`) and releases it.
  void notify(std::unique_lock<std::mutex>& lock, ErrorCode ec = {}) {
    ++events;
    std::vector<Waiter> woken = std::exchange(waiters, {});
    lock.unlock();
    for (const auto& w : woken)
      complete(w, ec);
  }

  static void complete(const Waiter& w, ErrorCode ec) { (void)w->try_send(ec); }

  /// Registers `w` if nothing happened since event `seen`; else completes it at once.
  void add_waiter(std::uint64_t seen, const Waiter& w) {
    std::unique_lock lock(mutex);
    if (stopped) {
      lock.unlock();
      complete(w, asio::error::operation_aborted);
    } else if (events != seen) {
      lock.unlock();
      complete(w, {});
    } else {
      waiters.push_back(w);
    }
  }

  void start_fetch();
};

namespace {

/// The background fetch: reserves blocks until one is usable (for the latest wanted day), with
/// backoff on failures. Runs on the generator's executor; holds the state alive.
asio::awaitable<void> fetch_blocks(std::shared_ptr<IdGeneratorState> st) {
  auto backoff = st->options.retry_initial;
  for (;;) {
    std::uint32_t day = 0;
    std::uint32_t size = 0;
    {
      std::lock_guard lock(st->mutex);
      if (st->stopped) {
        st->fetching = false;
        co_return;
      }
      day = st->wanted_day;
      size = st->step;
    }

    std::uint64_t end = 0;
    std::exception_ptr failure;
    try {
      end = co_await st->source->reserve(day_key(day), size);
      if (end < size) {
        throw ProtocolError("id sequence source returned " + std::to_string(end) +
                            " for a block of " + std::to_string(size));
      }
    } catch (...) {
      failure = as_infra_error(std::current_exception());
    }

    std::unique_lock lock(st->mutex);
    if (st->stopped) {
      st->fetching = false;
      co_return;
    }
    if (failure) {
      st->error = failure;
      ++st->stats.fetch_failures;
      st->notify(lock);
      asio::steady_timer timer(st->executor, backoff);
      ErrorCode ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      backoff = std::min(backoff * 2, st->options.retry_max);
      continue;
    }
    backoff = st->options.retry_initial;
    st->error = nullptr;
    if (day < st->wanted_day) continue;  // the day moved on while we asked: that block is lost

    const std::uint64_t lo = end - size + 1;
    if (lo > kMaxSequence) {
      st->exhausted_day = day;
      st->fetching = false;
      st->notify(lock);
      co_return;
    }
    const Block block{day, lo, std::min<std::uint64_t>(end, kMaxSequence)};
    if (st->current_usable_for(day)) {
      st->prefetched = block;
    } else {
      st->install(block);
    }
    st->fetching = false;
    st->notify(lock);
    co_return;
  }
}

}  // namespace

void IdGeneratorState::start_fetch() {
  // Posted, never run inline: the caller may be a next() on `executor`, in the middle of the
  // fast path, and a source that completes at once would otherwise install a block under it.
  asio::post(executor, [state = shared_from_this()] {
    asio::co_spawn(state->executor, fetch_blocks(state), asio::detached);
  });
}

}  // namespace detail

IdGenerator::IdGenerator(boost::asio::any_io_executor executor,
                         std::shared_ptr<SequenceSource> source, IdGeneratorOptions options)
    : state_(std::make_shared<detail::IdGeneratorState>(std::move(executor), std::move(source),
                                                        std::move(options))) {
  // Warm up: ask for the first block now, so that the first calls find it ready.
  if (const auto s = seconds_since_epoch(state_->options.clock())) {
    {
      std::lock_guard lock(state_->mutex);
      state_->wanted_day = day_of(state_->raise_second(*s));
      state_->fetching = true;
    }
    state_->start_fetch();
  }
}

IdGenerator::~IdGenerator() {
  std::unique_lock lock(state_->mutex);
  state_->stopped = true;
  state_->notify(lock, asio::error::operation_aborted);
}

std::optional<std::uint64_t> IdGenerator::try_next() {
  return state_->take(nullptr);
}

namespace {

[[noreturn]] void throw_miss(const MissInfo& miss) {
  switch (miss.why) {
    case Miss::kExhausted:
      throw IdExhausted(miss.clock_past_end ? "ids exhausted: the clock is past 2092"
                                            : "ids exhausted for today (UTC)");
    case Miss::kFailing:
      std::rethrow_exception(miss.error);
    default:
      throw InfraError("id generator stopped");
  }
}

/// Waits until the state's event count differs from `seen`. Throws InfraError if the generator
/// stops meanwhile.
asio::awaitable<void> wait_for_event(std::shared_ptr<detail::IdGeneratorState> state,
                                     std::uint64_t seen) {
  auto waiter = std::make_shared<Waiter::element_type>(co_await asio::this_coro::executor, 1);
  state->add_waiter(seen, waiter);
  ErrorCode ec;
  co_await waiter->async_receive(asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) co_return;
  throw InfraError("id generator stopped");
}

asio::awaitable<void> yield_to_other_work() {
  const auto ex = co_await asio::this_coro::executor;
  co_await asio::post(ex, asio::use_awaitable);
}

}  // namespace

boost::asio::awaitable<std::uint64_t> IdGenerator::next() {
  const std::shared_ptr<detail::IdGeneratorState> state = state_;
  for (;;) {
    MissInfo miss;
    if (const auto id = state->take(&miss)) co_return *id;
    if (miss.why == Miss::kPending) {
      co_await wait_for_event(state, miss.events);
    } else if (miss.why == Miss::kRetry) {
      co_await yield_to_other_work();  // spun for long under contention
    } else {
      throw_miss(miss);
    }
  }
}

IdGeneratorStats IdGenerator::stats() const {
  std::lock_guard lock(state_->mutex);
  IdGeneratorStats s = state_->stats;
  s.block_size = state_->step;
  return s;
}

}  // namespace seckill::id
