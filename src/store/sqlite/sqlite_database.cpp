#include "store/sqlite/sqlite_database.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <system_error>
#include <unistd.h>

#include <fmt/format.h>

#include "seckill_store_sqlite_embedded.hpp"

namespace seckill::store::sqlite {

namespace {

constexpr std::int64_t kSchemaVersion = 5;

std::exception_ptr io_error(const std::string& message) {
  return std::make_exception_ptr(IoError(message));
}

std::string errno_text(int error) {
  return std::error_code(error, std::generic_category()).message();
}

/// The settings every connection gets. Waits on a lock rather than failing at once: the only
/// other holders are this process's own connections (checkpoints, WAL recovery at open).
void configure(SqliteConnection& c) {
  c.exec_script("pragma busy_timeout = 5000; pragma foreign_keys = on;");
}

/// The schema version of the file, refusing a file that is not a database, holds another
/// program's tables, or comes from a newer seckill. Only reads.
std::int64_t schema_version(SqliteConnection& c) {
  auto version = c.scalar_int("pragma user_version");
  if (version == 0 && c.scalar_int("select count(*) from sqlite_schema") != 0) {
    throw IoError("it holds tables but no seckill schema version (another program's file?)");
  }
  if (version > kSchemaVersion) {
    throw IoError(fmt::format("its schema version {} is newer than this seckill's ({})", version,
                              kSchemaVersion));
  }
  return version;
}

/// Brings the schema up to date in one transaction, one numbered step after the other.
void migrate(SqliteConnection& c) {
  c.exec_script("begin immediate");
  try {
    auto version = schema_version(c);
    if (version < 1) c.exec_script(std::string(sql::schema_0001_initial));
    if (version < 2) c.exec_script(std::string(sql::schema_0002_user_last_at));
    if (version < 3) c.exec_script(std::string(sql::schema_0003_fencing_tokens));
    if (version < 4) c.exec_script(std::string(sql::schema_0004_revocations));
    if (version < 5) c.exec_script(std::string(sql::schema_0005_order_listings));
    if (version < kSchemaVersion) {
      c.exec_script(fmt::format("pragma user_version = {}", kSchemaVersion));
    }
    c.exec_script("commit");
  } catch (...) {
    if (!c.autocommit()) c.exec_script("rollback");
    throw;
  }
}

}  // namespace

/// An exclusive flock(2) on `<data_dir>/seckill.lock`, held while the store is open. The lock
/// goes with the process, so a killed process never leaves it behind.
class SqliteDatabase::FileLock {
 public:
  explicit FileLock(const std::filesystem::path& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      throw IoError(fmt::format("cannot write in the data directory {}: {}",
                                path.parent_path().string(), errno_text(errno)));
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      int error = errno;
      ::close(fd_);
      throw IoError(fmt::format("the data directory {} is in use by another seckill process ({})",
                                path.parent_path().string(), errno_text(error)));
    }
  }
  ~FileLock() { ::close(fd_); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

SqliteDatabase::SqliteDatabase(SqliteDatabaseOptions options)
    : options_(std::move(options)), path_(options_.data_dir / "seckill.db") {
  const auto& dir = options_.data_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw IoError(
        fmt::format("cannot create the data directory {}: {}", dir.string(), ec.message()));
  }
  lock_ = std::make_unique<FileLock>(dir / "seckill.lock");
  try {
    writer_conn_.emplace(SqliteConnection::open(path_, true));
    // Checked before anything is written: a file that is not ours is left exactly as it was
    // (even switching to WAL would rewrite its header).
    schema_version(*writer_conn_);
    auto mode = writer_conn_->scalar_text("pragma journal_mode = wal");
    if (mode != "wal") throw IoError("it cannot be put in WAL mode (journal_mode " + mode + ")");
    // FULL: COMMIT returns once the WAL is synced, so a completed write survives a power cut.
    writer_conn_->exec_script("pragma synchronous = full");
    configure(*writer_conn_);
    migrate(*writer_conn_);
    const auto n = std::max<std::size_t>(1, options_.readers);
    reader_conns_.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      auto& c = reader_conns_.emplace_back(SqliteConnection::open(path_, false));
      configure(c);
      c.exec_script("pragma query_only = on");
    }
  } catch (const std::exception& e) {
    throw IoError(fmt::format("cannot open the embedded store {}: {}", path_.string(), e.what()));
  }
  writer_ = std::thread([this] { writer_loop(); });
  readers_.reserve(reader_conns_.size());
  for (auto& c : reader_conns_)
    readers_.emplace_back([this, &c] { reader_loop(c); });
}

SqliteDatabase::~SqliteDatabase() {
  stop();
}

void SqliteDatabase::stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    std::lock_guard lock(writes_.mutex);
    writes_.stopping = true;  // the writer commits what is queued, then exits
  }
  writes_.ready.notify_all();
  std::deque<JobPtr> orphans;
  {
    std::lock_guard lock(reads_.mutex);
    reads_.stopping = true;
    orphans.swap(reads_.queue);
  }
  reads_.ready.notify_all();
  for (auto& job : orphans)
    job->complete(io_error("the embedded store is stopping"));
  if (writer_.joinable()) writer_.join();
  for (auto& t : readers_) {
    if (t.joinable()) t.join();
  }
}

SqliteWriterStats SqliteDatabase::writer_stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

void SqliteDatabase::enqueue(Lane& lane, JobPtr job) {
  std::unique_lock lock(lane.mutex);
  if (lane.stopping || lane.queue.size() >= options_.max_queue) {
    const char* why =
        lane.stopping ? "the embedded store is stopping" : "the embedded store's queue is full";
    lock.unlock();
    job->complete(io_error(why));
    return;
  }
  lane.queue.push_back(std::move(job));
  lock.unlock();
  lane.ready.notify_one();
}

void SqliteDatabase::writer_loop() {
  std::vector<JobPtr> group;
  for (;;) {
    {
      std::unique_lock lock(writes_.mutex);
      writes_.ready.wait(lock, [this] { return writes_.stopping || !writes_.queue.empty(); });
      if (writes_.queue.empty()) return;  // stopping, and everything queued is committed
      auto n = std::min(writes_.queue.size(), std::max<std::size_t>(1, options_.max_group));
      for (std::size_t i = 0; i < n; ++i) {
        group.push_back(std::move(writes_.queue.front()));
        writes_.queue.pop_front();
      }
    }
    commit_group(group);
    group.clear();
  }
}

void SqliteDatabase::commit_group(std::vector<JobPtr>& group) {
  auto& c = *writer_conn_;
  std::optional<std::string> failure;
  try {
    c.query("begin immediate").run();
    for (auto& job : group) {
      c.query("savepoint write").run();
      if (job->run(c)) {
        c.query("release write").run();
      } else if (c.autocommit()) {
        // Some errors (disk full, I/O error) make SQLite roll the whole transaction back: the
        // writes run before this one are gone too.
        throw IoError("a write failed and SQLite rolled the whole group back");
      } else {
        c.query("rollback to write").run();
        c.query("release write").run();
      }
    }
    c.query("commit").run();
  } catch (const std::exception& e) {
    failure = fmt::format("the embedded store could not commit: {}", e.what());
    try {
      if (!c.autocommit()) c.query("rollback").run();
    } catch (const std::exception&) {
      // The connection is in trouble; the next group's BEGIN reports it to its callers.
    }
  }
  {
    std::lock_guard lock(stats_mutex_);
    if (!failure) ++stats_.commits;
    stats_.writes += group.size();
  }
  for (auto& job : group) {
    // A fresh exception per caller: they rethrow it on different threads.
    job->complete(failure ? io_error(*failure) : nullptr);
  }
}

void SqliteDatabase::reader_loop(SqliteConnection& conn) {
  for (;;) {
    JobPtr job;
    {
      std::unique_lock lock(reads_.mutex);
      reads_.ready.wait(lock, [this] { return reads_.stopping || !reads_.queue.empty(); });
      if (reads_.queue.empty()) return;
      job = std::move(reads_.queue.front());
      reads_.queue.pop_front();
    }
    job->run(conn);
    job->complete(nullptr);
  }
}

}  // namespace seckill::store::sqlite
