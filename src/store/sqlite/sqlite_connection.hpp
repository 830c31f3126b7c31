#pragma once
// One SQLite connection and its prepared statements. Every call blocks the calling thread (disk
// I/O, fsync), so it must never be used on an I/O thread: I/O code goes through SqliteDatabase
// (sqlite_database.hpp), whose own threads own the connections.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <sqlite3.h>

#include "core/infra_error.hpp"
#include "core/rfc3339.hpp"

namespace seckill::store::sqlite {

/// SQLite refused a statement or could not run it. A constraint the data would break
/// (`is_constraint()`) is a refusal of this request; anything else (disk full, I/O error,
/// corrupt file) is the store failing.
class SqliteError : public ReplyError {
 public:
  SqliteError(const std::string& message, int code) : ReplyError(message), code_(code) {}

  /// The extended result code, e.g. SQLITE_CONSTRAINT_FOREIGNKEY.
  int code() const { return code_; }
  bool is_constraint() const { return (code_ & 0xff) == SQLITE_CONSTRAINT; }

 private:
  int code_;
};

struct SqliteDbDeleter {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using SqliteDbPtr = std::unique_ptr<sqlite3, SqliteDbDeleter>;

struct SqliteStmtDeleter {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using SqliteStmtPtr = std::unique_ptr<sqlite3_stmt, SqliteStmtDeleter>;

class SqliteConnection;

/// One use of a prepared statement: bind, step, read columns. Parameters and columns are
/// numbered as SQLite does (parameters from 1, columns from 0). The statement is reset and its
/// bindings cleared when the Query goes away, so the next use starts clean.
class Query {
 public:
  Query(SqliteConnection& conn, sqlite3_stmt* stmt) : conn_(&conn), stmt_(stmt) {}
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& bind(int index, std::int64_t value);
  /// Ids: bit 63 is always 0 (core/id), so they fit in SQLite's signed 64-bit integers.
  Query& bind_id(int index, std::uint64_t value);
  /// Microseconds since 1970-01-01T00:00:00Z, the resolution PostgreSQL keeps.
  Query& bind_time(int index, SysTime value);
  /// The text is copied by SQLite.
  Query& bind_text(int index, std::string_view value);
  /// A REAL (an IEEE double, stored exactly).
  Query& bind_real(int index, double value);

  /// Runs the statement to its next row: true if there is one, false when done. Throws
  /// SqliteError.
  bool step();
  /// Runs a statement that returns no rows; returns sqlite3_changes().
  std::int64_t run();

  std::int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::uint64_t id(int column) const { return static_cast<std::uint64_t>(int64(column)); }
  SysTime time(int column) const;
  std::string text(int column) const;
  double real(int column) const { return sqlite3_column_double(stmt_, column); }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  SqliteConnection* conn_;
  sqlite3_stmt* stmt_;
};

/// Microseconds since 1970, as the tables store times.
std::int64_t to_micros(SysTime t);
SysTime from_micros(std::int64_t micros);
/// `t` truncated to what the store keeps (microseconds): what a read gives back.
SysTime stored_time(SysTime t);

/// Thread-safety: none; one thread at a time (it may move between threads: the connection is
/// opened in SQLite's multi-thread mode, without its own mutex).
class SqliteConnection {
 public:
  /// Opens (creating if `create`) the database file. Nothing is read or written yet: a file
  /// that is not a database is found by the first statement. Throws SqliteError.
  static SqliteConnection open(const std::filesystem::path& path, bool create);

  explicit SqliteConnection(SqliteDbPtr db) : db_(std::move(db)) {}

  /// A statement prepared on this connection the first time and reused afterwards. `sql` must
  /// outlive the connection: use string literals. Throws SqliteError.
  Query query(std::string_view sql);

  /// Runs a script of statements without parameters (schema, pragmas). Throws SqliteError.
  void exec_script(const std::string& sql);
  /// A pragma or one-row query's first column as text ("" when no row). Throws SqliteError.
  std::string scalar_text(std::string_view sql);
  std::int64_t scalar_int(std::string_view sql);

  /// True when no transaction is open (SQLite rolled one back by itself after some errors).
  bool autocommit() const { return sqlite3_get_autocommit(db_.get()) != 0; }

  /// The error `code` as an exception, with the connection's message and `context`.
  [[noreturn]] void fail(int code, std::string_view context) const;

  sqlite3* handle() const { return db_.get(); }

 private:
  SqliteDbPtr db_;
  // Keyed by the literal's address: the same text at another address is another statement,
  // which is harmless (prepared twice).
  std::unordered_map<const char*, SqliteStmtPtr> statements_;
};

}  // namespace seckill::store::sqlite
