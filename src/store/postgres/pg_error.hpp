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

 private:
  std::string sqlstate_;
};

}  // namespace seckill::store::postgres
