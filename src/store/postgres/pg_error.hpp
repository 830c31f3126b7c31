#pragma once
// How PostgreSQL failures reach callers. Connection problems are `seckill::IoError`, a statement
// cut by `statement_timeout` is `seckill::TimeoutError`, and an error the server answered with is
// a `PgError` (a `seckill::ReplyError`) that carries the SQLSTATE, so a caller can tell a unique
// violation from a syntax error without parsing messages.

#include <string>
#include <string_view>

#include "core/infra_error.hpp"

namespace seckill::store::postgres {

/// SQLSTATE codes callers act on (PostgreSQL, Appendix A).
inline constexpr std::string_view kUniqueViolation = "23505";
inline constexpr std::string_view kForeignKeyViolation = "23503";
inline constexpr std::string_view kCheckViolation = "23514";
inline constexpr std::string_view kSerializationFailure = "40001";
inline constexpr std::string_view kDeadlockDetected = "40P01";
inline constexpr std::string_view kQueryCanceled = "57014";

/// The server executed the request and refused it.
class PgError : public ReplyError {
 public:
  PgError(const std::string& message, std::string sqlstate)
      : ReplyError(message), sqlstate_(std::move(sqlstate)) {}

  /// The five-character SQLSTATE, e.g. "23505"; empty if the server sent none.
  const std::string& sqlstate() const { return sqlstate_; }

  bool is_unique_violation() const { return sqlstate_ == kUniqueViolation; }
  /// Deadlocks and serialization failures: the transaction was rolled back and may be retried.
  bool is_retryable() const {
    return sqlstate_ == kDeadlockDetected || sqlstate_ == kSerializationFailure;
  }
  /// The store refused the rows on their own merits: a data exception (class 22) or an
  /// integrity violation (class 23). Writing them again will fail again: poison.
  bool is_refusal() const { return sqlstate_.starts_with("22") || sqlstate_.starts_with("23"); }

 private:
  std::string sqlstate_;
};

/// A PostgreSQL error that is not about the rows written: the server cannot take writes now
/// (connection classes 08, 57P shutdowns, 53 resources, 58 system, 25006 read-only after a
/// failover, 40001/40P01 rolled back, 55P03 lock not available, or anything else outside classes
/// 22 and 23). Not a ReplyError, so a writer retries it (an outage) and never dead-letters for it.
class PgUnavailableError : public InfraError {
 public:
  PgUnavailableError(const std::string& message, std::string sqlstate)
      : InfraError(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

/// For the writers' batch writes: `e` as it must reach the writer. A refusal (is_refusal())
/// stays a PgError; anything else becomes PgUnavailableError. Always throws.
[[noreturn]] inline void throw_for_writer(const PgError& e) {
  if (e.is_refusal()) throw e;
  throw PgUnavailableError(e.what(), e.sqlstate());
}

/// The server, or the TLS handshake, refused this client: a wrong password or user, no pg_hba.conf
/// entry, a database that does not exist, a server certificate that does not verify. Connecting
/// again will not help: at start it is a configuration error (exit 2), at run time an outage
/// like any lost connection (an IoError).
class PgRefusedError : public IoError {
 public:
  using IoError::IoError;
};

}  // namespace seckill::store::postgres
