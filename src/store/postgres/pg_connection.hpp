#pragma once
// One blocking libpq connection. Every call blocks the calling thread until the server answers,
// so it must never be used on an I/O thread: I/O code goes through PgPool (pg_pool.hpp), whose
// own threads own the connections.

#include <chrono>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>

#include <libpq-fe.h>

#include "store/postgres/pg_error.hpp"
#include "store/postgres/pg_param.hpp"
#include "store/postgres/pg_result.hpp"

namespace seckill::store::postgres {

/// How to reach the server and how long to wait for it.
struct PgConnectOptions {
  /// A libpq URI ("postgresql://user@127.0.0.1:5432/db") or "key=value" string. Settings in it
  /// win over the ones below.
  std::string conninfo;
  /// How long establishing a connection may take (libpq's minimum is 2 s).
  std::chrono::seconds connect_timeout{3};
  /// Server-side limit on one statement (`statement_timeout`); zero means none. A statement cut
  /// by it fails with seckill::TimeoutError.
  std::chrono::milliseconds statement_timeout{10'000};
  /// How long sent data may stay unacknowledged before the connection is declared dead
  /// (`tcp_user_timeout`): bounds a call to a server that vanished mid-statement.
  std::chrono::milliseconds tcp_user_timeout{15'000};
  /// If not empty, the session's `search_path`: lets tests and benchmarks keep separate schemas
  /// in one database.
  std::string schema;
  std::string application_name = "seckill";
};

/// A statement prepared once per connection, on first use, and executed by name afterwards:
/// the server parses and plans it once instead of on every call.
struct PgStatement {
  /// Unique among the statements of the program. Both views must outlive every connection that
  /// ran the statement: use string literals.
  std::string_view name;
  std::string_view sql;
};

struct PgConnDeleter {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnDeleter>;

/// Thread-safety: none; one thread at a time (it may move between threads).
class PgConnection {
 public:
  /// Connects and applies the session settings. Throws IoError if the server cannot be reached
  /// or refuses the connection.
  static PgConnection connect(const PgConnectOptions& options);

  explicit PgConnection(PgConnPtr conn) : conn_(std::move(conn)) {}

  /// Runs one statement with parameters `$1..$n`. Throws IoError (connection lost),
  /// TimeoutError (statement_timeout) or PgError (any other server error, with its SQLSTATE).
  PgResult exec(std::string_view sql, std::initializer_list<PgParam> params = {});
  PgResult exec(std::string_view sql, std::span<const PgParam> params);
  /// The same for a prepared statement (prepared on this connection the first time).
  PgResult exec(const PgStatement& statement, std::initializer_list<PgParam> params = {});
  PgResult exec(const PgStatement& statement, std::span<const PgParam> params);

  /// Runs a script of several statements without parameters (migrations). Same errors as exec.
  void exec_script(std::string_view sql);

  /// Runs `f(*this)` between BEGIN and COMMIT and returns what it returns. If `f` or COMMIT
  /// throws, the transaction is rolled back (when the connection still works) and the exception
  /// propagates. A COMMIT sent whose answer never came (the connection lost, a timeout) throws
  /// OutcomeUnknownError: the transaction may have committed, so the caller must not say that
  /// nothing was done.
  template <typename F>
  auto transaction(F&& f) -> decltype(f(*this));

  /// True if the connection is open and outside a transaction. Reads whatever the server sent
  /// meanwhile without blocking, so a connection the server has closed (restart, idle kill) is
  /// found broken here rather than by the next statement.
  bool healthy();

  /// True once libpq has declared the connection broken.
  bool broken() const { return PQstatus(conn_.get()) == CONNECTION_BAD; }

  PGconn* native() const { return conn_.get(); }

 private:
  PgResult check(PGresult* raw, std::string_view what);
  /// COMMIT; an InfraError other than a PgError (the server's refusal) becomes
  /// OutcomeUnknownError.
  void commit();
  void rollback_quietly() noexcept;

  PgConnPtr conn_;
  std::unordered_set<std::string_view> prepared_;
};

template <typename F>
auto PgConnection::transaction(F&& f) -> decltype(f(*this)) {
  exec("begin");
  try {
    if constexpr (std::is_void_v<decltype(f(*this))>) {
      f(*this);
      commit();
    } else {
      auto result = f(*this);
      commit();
      return result;
    }
  } catch (...) {
    rollback_quietly();
    throw;
  }
}

}  // namespace seckill::store::postgres
