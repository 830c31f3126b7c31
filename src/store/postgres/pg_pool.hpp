#pragma once
// A fixed set of PostgreSQL connections, each owned by one thread of the pool, and the bridge
// that lets an Asio coroutine use them without blocking its I/O thread:
//
//     Voucher v = co_await pool.run([id](PgConnection& c) { return find(c, id); });
//
// The function runs on a pool thread with that thread's connection; the coroutine is resumed on
// its own executor with the result, or with the exception the function threw.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "metrics/backend_calls.hpp"
#include "store/postgres/pg_connection.hpp"

namespace seckill::store::postgres {

struct PgPoolOptions {
  PgConnectOptions connect;
  /// Connections, and threads: one thread per connection.
  std::size_t size = 4;
  /// After a failed connection attempt, calls on that thread fail at once with IoError until
  /// the backoff has passed; it doubles on each failure up to `backoff_max`.
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{2'000};
  /// Calls waiting for a connection beyond this fail at once with IoError: a store that cannot
  /// keep up is reported, not buffered without bound.
  std::size_t max_queue = 100'000;
  /// Where calls are timed (from the caller's point of view: the wait for a connection
  /// included) and their failures counted; null: nowhere. Must outlive the pool.
  metrics::BackendCalls* calls = nullptr;
};

/// Thread-safety: `run` may be called from any thread and any number of coroutines at once. The
/// pool must outlive every call; destroying it (or `stop`) fails the calls still queued with
/// IoError and waits for the running ones. Their results are posted to the callers' executors,
/// so stop the pool before destroying the io_contexts that use it.
///
/// Connections are made lazily, on a thread's first call, and re-made when found broken (see
/// PgConnection::healthy); a function that gets an exception from a broken connection is not
/// retried, since it may have run on the server.
class PgPool {
 public:
  explicit PgPool(PgPoolOptions options);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  /// Runs `f(PgConnection&)` on a pool thread and resumes the calling coroutine on its own
  /// executor with the result. Throws what `f` throws, or IoError if no connection could be
  /// made (server down: within connect_timeout, or at once during backoff), the queue is full,
  /// or the pool is stopping. `f` is moved into the pool: capture by value.
  ///
  /// Name the function before awaiting: `auto job = [rows = std::move(rows)](PgConnection& c)
  /// {...}; co_await pool.run(std::move(job));`. GCC 12 miscompiles a closure with non-trivial
  /// captures written as a temporary inside a co_await expression (it is moved from the wrong
  /// address and destroyed twice).
  template <typename F>
  auto run(F f) -> boost::asio::awaitable<std::invoke_result_t<F&, PgConnection&>>;

  /// Fails queued calls with IoError, lets running ones finish and joins the threads.
  /// Idempotent; called by the destructor.
  void stop();

  std::size_t size() const { return threads_.size(); }

 private:
  /// A queued call: given a connection, or nullptr and the reason there is none.
  using Job = std::move_only_function<void(PgConnection*, std::exception_ptr)>;

  void submit(Job job);
  void worker();

  PgPoolOptions options_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

template <typename F>
auto PgPool::run(F f) -> boost::asio::awaitable<std::invoke_result_t<F&, PgConnection&>> {
  namespace asio = boost::asio;
  using R = std::invoke_result_t<F&, PgConnection&>;
  using Value = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

  auto initiate = [this, &f](auto handler) {
    auto executor = asio::get_associated_executor(handler);
    // Keeps the caller's io_context from running out of work while the call is away.
    auto work = asio::prefer(executor, asio::execution::outstanding_work.tracked);
    submit([f = std::move(f), handler = std::move(handler), work = std::move(work)](
               PgConnection* conn, std::exception_ptr error) mutable {
      std::optional<Value> value;
      if (!error) {
        try {
          if constexpr (std::is_void_v<R>) {
            f(*conn);
            value.emplace();
          } else {
            value.emplace(f(*conn));
          }
        } catch (...) {
          error = std::current_exception();
        }
      }
      auto target = asio::get_associated_executor(handler);
      // Everything moves to the caller's thread: this thread keeps no reference to the result or
      // the exception, whose last owner then is the caller.
      asio::post(target, [handler = std::move(handler), error = std::move(error),
                          value = std::move(value)]() mutable {
        std::move(handler)(error, std::move(value));
      });
    });
  };
  metrics::CallTimer timer(options_.calls, metrics::Backend::postgres);
  std::optional<Value> value =
      co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                    void(std::exception_ptr, std::optional<Value>)>(
          std::move(initiate), asio::use_awaitable);
  timer.ok();
  if constexpr (!std::is_void_v<R>) co_return std::move(*value);
}

}  // namespace seckill::store::postgres
