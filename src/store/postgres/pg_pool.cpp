#include "store/postgres/pg_pool.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace seckill::store::postgres {

namespace {

/// One pool thread's connection, re-made on demand with backoff after failures.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(const PgPoolOptions& options) : options_(options) {}

  /// The connection, healthy as far as can be told without a round trip. Throws IoError if it
  /// cannot be made now.
  PgConnection& get() {
    if (conn_ && conn_->healthy()) return *conn_;
    conn_.reset();
    auto now = std::chrono::steady_clock::now();
    if (now < retry_at_) {
      throw IoError(
          fmt::format("{} (next attempt in {} ms)", last_error_,
                      std::chrono::ceil<std::chrono::milliseconds>(retry_at_ - now).count()));
    }
    try {
      conn_.emplace(PgConnection::connect(options_.connect));
      backoff_ = {};
      return *conn_;
    } catch (const IoError& e) {
      backoff_ = backoff_.count() == 0 ? options_.backoff_min
                                       : std::min(backoff_ * 2, options_.backoff_max);
      retry_at_ = std::chrono::steady_clock::now() + backoff_;
      last_error_ = e.what();
      throw;
    }
  }

  /// After a call: a connection libpq found broken is dropped (and re-made on next use).
  void after_call() {
    if (conn_ && conn_->broken()) conn_.reset();
  }

 private:
  const PgPoolOptions& options_;
  std::optional<PgConnection> conn_;
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point retry_at_{};
  std::string last_error_;
};

}  // namespace

PgPool::PgPool(PgPoolOptions options) : options_(std::move(options)) {
  auto n = std::max<std::size_t>(1, options_.size);
  threads_.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    threads_.emplace_back([this] { worker(); });
}

PgPool::~PgPool() {
  stop();
}

void PgPool::stop() {
  std::deque<Job> orphans;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    orphans.swap(queue_);
  }
  ready_.notify_all();
  for (auto& job : orphans) {
    job(nullptr, std::make_exception_ptr(IoError("PostgreSQL pool is stopping")));
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void PgPool::submit(Job job) {
  std::unique_lock lock(mutex_);
  if (stopping_ || queue_.size() >= options_.max_queue) {
    const char* why = stopping_ ? "PostgreSQL pool is stopping" : "PostgreSQL pool queue is full";
    lock.unlock();
    job(nullptr, std::make_exception_ptr(IoError(why)));
    return;
  }
  queue_.push_back(std::move(job));
  lock.unlock();
  ready_.notify_one();
}

void PgPool::worker() {
  ConnectionSlot slot(options_);
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    PgConnection* conn = nullptr;
    std::exception_ptr error;
    try {
      conn = &slot.get();
    } catch (...) {
      error = std::current_exception();
    }
    job(conn, std::move(error));
    slot.after_call();
  }
}

}  // namespace seckill::store::postgres
