#pragma once
// The embedded store's database file, and the bridge that lets Asio coroutines use it without
// blocking their I/O threads:
//
//     auto job = [id](SqliteConnection& c) { return select_order(c, id); };
//     std::optional<Order> order = co_await db.read(std::move(job));
//
// Writes go to one writer thread that commits them in groups: it takes every write queued
// since its last commit, runs them all in one BEGIN IMMEDIATE .. COMMIT (each inside its own
// savepoint, so one refused write does not undo the others) and only then completes each. With
// `synchronous=FULL` the COMMIT returns once the WAL is on disk, so a write that completed
// without an exception is durable; one fsync is shared by the whole group. Reads run on their
// own connections and threads and, thanks to WAL, never wait for the writer.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "metrics/backend_calls.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace seckill::store::sqlite {

struct SqliteDatabaseOptions {
  /// The directory of the store (`--data`), created if missing. The database is
  /// `<data_dir>/seckill.db` (with its `-wal` and `-shm` files); `<data_dir>/seckill.lock` keeps a
  /// second process from opening the same store, since the embedded coordinator lives in one
  /// process's memory.
  std::filesystem::path data_dir = "./data";
  /// Reader connections, and threads: one thread per connection.
  std::size_t readers = 2;
  /// Most writes committed in one transaction; more queued wait for the next one.
  std::size_t max_group = 4096;
  /// Calls waiting beyond this fail at once with IoError: a store that cannot keep up is
  /// reported, not buffered without bound.
  std::size_t max_queue = 100'000;
  /// Where calls (read, write) are timed and their failures counted; null: nowhere. Must
  /// outlive the database.
  metrics::BackendCalls* calls = nullptr;
};

struct SqliteWriterStats {
  std::uint64_t commits = 0;  ///< transactions committed
  std::uint64_t writes = 0;   ///< write calls that ran in them (succeeded or refused)
};

namespace detail {

/// A queued call with the caller's completion handler, type-erased.
class SqliteJob {
 public:
  virtual ~SqliteJob() = default;
  /// Runs the function; keeps its result or exception. Returns false if it threw.
  virtual bool run(SqliteConnection& conn) noexcept = 0;
  /// Posts the outcome to the caller's executor: `failure` if not null (the group's commit
  /// failed, the store is stopping), else what run() kept.
  virtual void complete(std::exception_ptr failure) noexcept = 0;
};

template <typename F, typename Handler, typename Work>
class SqliteJobImpl final : public SqliteJob {
 public:
  using R = std::invoke_result_t<F&, SqliteConnection&>;
  using Value = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

  SqliteJobImpl(F f, Handler handler, Work work)
      : f_(std::move(f)), handler_(std::move(handler)), work_(std::move(work)) {}

  bool run(SqliteConnection& conn) noexcept override {
    try {
      if constexpr (std::is_void_v<R>) {
        f_(conn);
        value_.emplace();
      } else {
        value_.emplace(f_(conn));
      }
      return true;
    } catch (...) {
      error_ = std::current_exception();
      return false;
    }
  }

  void complete(std::exception_ptr failure) noexcept override {
    if (failure) {
      value_.reset();
      error_ = std::move(failure);
    }
    auto target = boost::asio::get_associated_executor(handler_);
    // Everything moves to the caller's thread: this thread keeps no reference to the result or
    // the exception, whose last owner then is the caller.
    boost::asio::post(target, [handler = std::move(handler_), error = std::move(error_),
                               value = std::move(value_)]() mutable {
      std::move(handler)(error, std::move(value));
    });
  }

 private:
  F f_;
  Handler handler_;
  Work work_;  ///< keeps the caller's io_context from running out of work meanwhile
  std::optional<Value> value_;
  std::exception_ptr error_;
};

}  // namespace detail

/// Thread-safety: `read` and `write` may be called from any thread and any number of coroutines
/// at once. The database must outlive every call; results are posted to the callers'
/// executors, so stop it (or destroy it) before destroying the io_contexts that use it.
class SqliteDatabase {
 public:
  /// Creates the directory if missing, takes the lock, opens (creating) the database in WAL
  /// mode with synchronous=FULL and foreign keys on, applies the schema, opens the readers and
  /// starts the threads. Blocking: call at start, not on an I/O thread.
  ///
  /// Throws IoError with a message naming the path when the directory cannot be created or
  /// written, another process holds the store, or the file is not a seckill database (corrupt,
  /// another program's, or from a newer seckill). An existing file is never overwritten: a
  /// file that cannot be read is left as it was.
  explicit SqliteDatabase(SqliteDatabaseOptions options);
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  /// Runs `f(SqliteConnection&)` on the writer thread inside the next group transaction, and
  /// resumes the calling coroutine on its own executor once that transaction is committed (on
  /// disk). If `f` throws, its changes are rolled back (the group's others are not) and the
  /// exception is rethrown here. If the commit fails, every write of the group fails with
  /// IoError and nothing of it is stored. Throws IoError when the queue is full or the
  /// database is stopped. `f` is moved to the writer thread: capture by value.
  ///
  /// Name the function before awaiting: `auto job = [rows = std::move(rows)](SqliteConnection&
  /// c) {...}; co_await db.write(std::move(job));` (GCC 12 miscompiles a closure with non-trivial
  /// captures written as a temporary inside a co_await expression).
  template <typename F>
  auto write(F f) -> boost::asio::awaitable<std::invoke_result_t<F&, SqliteConnection&>>;

  /// Runs `f(SqliteConnection&)` on a reader thread (its connection is query-only) and resumes
  /// the calling coroutine on its own executor. It sees every write completed before the call.
  /// Same errors and advice as `write`.
  template <typename F>
  auto read(F f) -> boost::asio::awaitable<std::invoke_result_t<F&, SqliteConnection&>>;

  /// `read` for start-up code that is not in a coroutine: waits for the result. Blocking.
  template <typename F>
  auto read_now(F f) -> std::invoke_result_t<F&, SqliteConnection&>;

  /// Commits the writes already queued, fails the queued reads with IoError, waits for running
  /// calls and joins the threads; later calls fail with IoError. Idempotent; called by the
  /// destructor.
  void stop();

  const std::filesystem::path& path() const { return path_; }
  SqliteWriterStats writer_stats() const;

 private:
  using JobPtr = std::unique_ptr<detail::SqliteJob>;

  /// The queue and threads of one kind of call (the writer's, or the readers').
  struct Lane {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<JobPtr> queue;
    bool stopping = false;
  };

  template <typename F>
  auto submit(Lane& lane, F f)
      -> boost::asio::awaitable<std::invoke_result_t<F&, SqliteConnection&>>;
  void enqueue(Lane& lane, JobPtr job);
  void writer_loop();
  void commit_group(std::vector<JobPtr>& group);
  void reader_loop(SqliteConnection& conn);

  SqliteDatabaseOptions options_;
  std::filesystem::path path_;
  class FileLock;
  std::unique_ptr<FileLock> lock_;
  std::optional<SqliteConnection> writer_conn_;
  std::vector<SqliteConnection> reader_conns_;
  Lane writes_;
  Lane reads_;
  mutable std::mutex stats_mutex_;
  SqliteWriterStats stats_;
  std::thread writer_;
  std::vector<std::thread> readers_;
  bool stopped_ = false;
};

template <typename F>
auto SqliteDatabase::submit(Lane& lane, F f)
    -> boost::asio::awaitable<std::invoke_result_t<F&, SqliteConnection&>> {
  namespace asio = boost::asio;
  using R = std::invoke_result_t<F&, SqliteConnection&>;
  using Value = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

  auto initiate = [this, &lane, &f](auto handler) {
    auto executor = asio::get_associated_executor(handler);
    auto work = asio::prefer(executor, asio::execution::outstanding_work.tracked);
    using Job = detail::SqliteJobImpl<F, decltype(handler), decltype(work)>;
    enqueue(lane, std::make_unique<Job>(std::move(f), std::move(handler), std::move(work)));
  };
  metrics::CallTimer timer(options_.calls, metrics::Backend::sqlite);
  std::optional<Value> value =
      co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                    void(std::exception_ptr, std::optional<Value>)>(
          std::move(initiate), asio::use_awaitable);
  timer.ok();
  if constexpr (!std::is_void_v<R>) co_return std::move(*value);
}

template <typename F>
auto SqliteDatabase::write(F f)
    -> boost::asio::awaitable<std::invoke_result_t<F&, SqliteConnection&>> {
  return submit(writes_, std::move(f));
}

template <typename F>
auto SqliteDatabase::read(F f)
    -> boost::asio::awaitable<std::invoke_result_t<F&, SqliteConnection&>> {
  return submit(reads_, std::move(f));
}

template <typename F>
auto SqliteDatabase::read_now(F f) -> std::invoke_result_t<F&, SqliteConnection&> {
  using R = std::invoke_result_t<F&, SqliteConnection&>;
  // A tiny executor of our own: the job completes by posting to it, and we run it here.
  boost::asio::io_context io;
  std::promise<R> promise;
  auto future = promise.get_future();
  auto handler = [&promise](std::exception_ptr error, auto value) {
    if (error) {
      promise.set_exception(error);
    } else if constexpr (std::is_void_v<R>) {
      promise.set_value();
    } else {
      promise.set_value(std::move(*value));
    }
  };
  auto bound = boost::asio::bind_executor(io.get_executor(), std::move(handler));
  auto work =
      boost::asio::prefer(io.get_executor(), boost::asio::execution::outstanding_work.tracked);
  using Job = detail::SqliteJobImpl<F, decltype(bound), decltype(work)>;
  enqueue(reads_, std::make_unique<Job>(std::move(f), std::move(bound), std::move(work)));
  io.run();
  return future.get();
}

}  // namespace seckill::store::sqlite
