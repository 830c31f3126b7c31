#pragma once
// The embedded mode's revocations (auth/revocation_store.hpp): kept in the embedded store, so a
// token revoked before a restart stays revoked after it, and checked against an in-memory copy
// (one instance sees every request). Only app/ names this type.

#include <vector>

#include "auth/revocation_store.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace seckill::store::sqlite {

/// Blocking functions on a connection. Throws SqliteError.
/// Records `revocation` (a later revocation of the same token or user keeps the latest times)
/// and drops the rows expired at `now_s`; inside the writer's transaction.
void upsert_revocation(SqliteConnection& c, const auth::Revocation& revocation, double now_s);
/// Every revocation not expired at `now_s`.
std::vector<auth::Revocation> select_revocations(SqliteConnection& c, double now_s);

/// Thread-safety: as SqliteDatabase, which must outlive it.
class SqliteRevocations final : public auth::RevocationStore {
 public:
  /// Loads the revocations still in force. Blocking: call at start, before the I/O threads run.
  /// Throws InfraError.
  explicit SqliteRevocations(SqliteDatabase& db);

  /// Durable when it returns (and in force on this instance from then on). Throws InfraError.
  boost::asio::awaitable<void> add(auth::Revocation revocation) override;
  boost::asio::awaitable<std::vector<auth::Revocation>> list() override;
  const auth::RevocationList& local() const override { return local_; }

 private:
  SqliteDatabase& db_;
  auth::RevocationList local_;
};

}  // namespace seckill::store::sqlite
