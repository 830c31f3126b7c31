#include "store/sqlite/sqlite_connection.hpp"

#include <fmt/format.h>

namespace seckill::store::sqlite {

std::int64_t to_micros(SysTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

SysTime from_micros(std::int64_t micros) {
  return SysTime(std::chrono::duration_cast<SysTime::duration>(std::chrono::microseconds(micros)));
}

SysTime stored_time(SysTime t) {
  return from_micros(to_micros(t));
}

Query::~Query() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Query& Query::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) conn_->fail(rc, "bind");
  return *this;
}

Query& Query::bind_id(int index, std::uint64_t value) {
  return bind(index, static_cast<std::int64_t>(value));
}

Query& Query::bind_time(int index, SysTime value) {
  return bind(index, to_micros(value));
}

Query& Query::bind_text(int index, std::string_view value) {
  int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) conn_->fail(rc, "bind");
  return *this;
}

Query& Query::bind_real(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK) conn_->fail(rc, "bind");
  return *this;
}

bool Query::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  conn_->fail(rc, sqlite3_sql(stmt_));
}

std::int64_t Query::run() {
  while (step()) {
  }
  return sqlite3_changes64(conn_->handle());
}

SysTime Query::time(int column) const {
  return from_micros(int64(column));
}

std::string Query::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  auto n = sqlite3_column_bytes(stmt_, column);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

SqliteConnection SqliteConnection::open(const std::filesystem::path& path, bool create) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (create) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteDbPtr db(raw);  // sqlite3_open_v2 may return a handle even when it fails
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc);
    throw SqliteError(message, rc);
  }
  sqlite3_extended_result_codes(db.get(), 1);
  return SqliteConnection(std::move(db));
}

Query SqliteConnection::query(std::string_view sql) {
  auto it = statements_.find(sql.data());
  if (it == statements_.end()) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    SqliteStmtPtr stmt(raw);
    if (rc != SQLITE_OK) fail(rc, sql);
    it = statements_.emplace(sql.data(), std::move(stmt)).first;
  }
  return {*this, it->second.get()};
}

void SqliteConnection::exec_script(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &error);
  if (error != nullptr) sqlite3_free(error);  // the same text as sqlite3_errmsg
  if (rc != SQLITE_OK) fail(rc, "script");
}

std::string SqliteConnection::scalar_text(std::string_view sql) {
  auto q = query(sql);
  return q.step() ? q.text(0) : std::string();
}

std::int64_t SqliteConnection::scalar_int(std::string_view sql) {
  auto q = query(sql);
  return q.step() ? q.int64(0) : 0;
}

void SqliteConnection::fail(int code, std::string_view context) const {
  // After some failures sqlite3_errmsg describes a later call; errstr(code) is always right.
  std::string message =
      sqlite3_errcode(db_.get()) == (code & 0xff) || sqlite3_extended_errcode(db_.get()) == code
          ? sqlite3_errmsg(db_.get())
          : sqlite3_errstr(code);
  throw SqliteError(fmt::format("SQLite: {} (in {})", message, context), code);
}

}  // namespace seckill::store::sqlite
