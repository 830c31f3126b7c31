#include "store/postgres/pg_connection.hpp"

#include <poll.h>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace seckill::store::postgres {

namespace {

std::string trimmed_error(PGconn* c) {
  std::string msg = PQerrorMessage(c);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' '))
    msg.pop_back();
  return msg;
}

// libpq says why a connection failed in text only (no SQLSTATE before the session exists): these
// are the refusals that retrying does not cure (libpq's and the server's messages, PostgreSQL 15).
bool is_refusal(PGconn* c, std::string_view message) {
  if (PQconnectionNeedsPassword(c) != 0) return true;
  for (std::string_view refusal :
       {"authentication failed", "no password supplied", "pg_hba.conf rejects",
        "no pg_hba.conf entry", "does not exist", "certificate verify failed",
        "does not match host name", "server does not support SSL", "root certificate file",
        "certificate present, but not private key", "sslmode value"}) {
    if (message.find(refusal) != std::string_view::npos) return true;
  }
  return false;
}

bool is_connection_failure(std::string_view sqlstate) {
  // Class 08 (connection exception) and the shutdown codes of class 57 mean the session is gone.
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

}  // namespace

PgConnection PgConnection::connect(const PgConnectOptions& options) {
  auto connect_timeout = std::to_string(options.connect_timeout.count());
  auto user_timeout = std::to_string(options.tcp_user_timeout.count());
  std::string session =
      fmt::format("-c statement_timeout={} -c TimeZone=UTC", options.statement_timeout.count());
  // search_path goes in the startup packet rather than a SET: no SQL is built from it. Spaces
  // and backslashes in it would need escaping for `options`; a schema name never has them here.
  if (!options.schema.empty()) session += " -c search_path=" + options.schema;
  // Our defaults come first and the conninfo last: libpq lets later entries win, so settings
  // written in the URL override ours.
  const char* keys[] = {"connect_timeout",
                        "tcp_user_timeout",
                        "keepalives",
                        "keepalives_idle",
                        "keepalives_interval",
                        "keepalives_count",
                        "application_name",
                        "options",
                        "dbname",
                        nullptr};
  const char* values[] = {connect_timeout.c_str(),
                          user_timeout.c_str(),
                          "1",
                          "30",
                          "10",
                          "3",
                          options.application_name.c_str(),
                          session.c_str(),
                          options.conninfo.c_str(),
                          nullptr};
  PgConnPtr conn(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
  if (!conn) throw IoError("PostgreSQL: out of memory creating a connection");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    const std::string message = trimmed_error(conn.get());
    if (is_refusal(conn.get(), message)) throw PgRefusedError("PostgreSQL: refused: " + message);
    throw IoError("PostgreSQL: cannot connect: " + message);
  }
  // libpq prints server notices ("relation already exists, skipping") to stderr by default; a
  // library must not write there, and nothing here acts on notices.
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  return PgConnection(std::move(conn));
}

PgResult PgConnection::check(PGresult* raw, std::string_view what) {
  PgResultPtr result(raw);
  if (!result) {
    throw IoError(fmt::format("PostgreSQL: {}: {}", what, trimmed_error(conn_.get())));
  }
  auto status = PQresultStatus(result.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return PgResult(std::move(result));

  const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
  std::string sqlstate = state ? state : "";
  std::string message = PQresultErrorMessage(result.get());
  while (!message.empty() && message.back() == '\n')
    message.pop_back();
  if (message.empty()) message = trimmed_error(conn_.get());
  if (broken() || sqlstate.empty() || is_connection_failure(sqlstate)) {
    throw IoError(fmt::format("PostgreSQL: {}: {}", what, message));
  }
  if (sqlstate == kQueryCanceled) {
    throw TimeoutError(fmt::format("PostgreSQL: {}: {}", what, message));
  }
  throw PgError(fmt::format("PostgreSQL: {}: {}", what, message), std::move(sqlstate));
}

PgResult PgConnection::exec(std::string_view sql, std::initializer_list<PgParam> params) {
  return exec(sql, std::span<const PgParam>(params.begin(), params.size()));
}

PgResult PgConnection::exec(std::string_view sql, std::span<const PgParam> params) {
  std::string text(sql);  // libpq wants it NUL-terminated; a string_view need not be
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params)
    values.push_back(p.c_str());
  return check(PQexecParams(conn_.get(), text.c_str(), static_cast<int>(values.size()), nullptr,
                            values.data(), nullptr, nullptr, 0),
               "statement failed");
}

PgResult PgConnection::exec(const PgStatement& statement, std::initializer_list<PgParam> params) {
  return exec(statement, std::span<const PgParam>(params.begin(), params.size()));
}

PgResult PgConnection::exec(const PgStatement& statement, std::span<const PgParam> params) {
  std::string name(statement.name);
  if (!prepared_.contains(statement.name)) {
    std::string sql(statement.sql);
    check(PQprepare(conn_.get(), name.c_str(), sql.c_str(), 0, nullptr),
          fmt::format("preparing {}", statement.name));
    prepared_.insert(statement.name);
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params)
    values.push_back(p.c_str());
  return check(PQexecPrepared(conn_.get(), name.c_str(), static_cast<int>(values.size()),
                              values.data(), nullptr, nullptr, 0),
               statement.name);
}

void PgConnection::exec_script(std::string_view sql) {
  std::string text(sql);
  check(PQexec(conn_.get(), text.c_str()), "script failed");
}

bool PgConnection::healthy() {
  if (broken()) return false;
  // A server that ends the session sends an error and then closes the socket; one
  // PQconsumeInput reads the error, only the next one sees the end of the stream. So read as
  // long as the socket has something (it never blocks: poll with a zero timeout).
  for (int i = 0; i < 4; ++i) {
    pollfd pfd{PQsocket(conn_.get()), POLLIN, 0};
    if (::poll(&pfd, 1, 0) <= 0) break;
    if (PQconsumeInput(conn_.get()) == 0) return false;
  }
  // Notices and notifications are not used; drop any that arrived.
  while (PGnotify* n = PQnotifies(conn_.get()))
    PQfreemem(n);
  return !broken() && PQtransactionStatus(conn_.get()) == PQTRANS_IDLE;
}

void PgConnection::commit() {
  std::string lost;
  try {
    exec("commit");
    return;
  } catch (const PgError&) {
    throw;  // the server answered: it refused, nothing was committed
  } catch (const InfraError& e) {
    lost = e.what();
  }
  throw OutcomeUnknownError(
      "PostgreSQL: the answer to COMMIT was lost, the transaction may have "
      "committed: " +
      lost);
}

void PgConnection::rollback_quietly() noexcept {
  if (broken() || PQtransactionStatus(conn_.get()) == PQTRANS_IDLE) return;
  PgResultPtr(PQexec(conn_.get(), "rollback"));
}

}  // namespace seckill::store::postgres
