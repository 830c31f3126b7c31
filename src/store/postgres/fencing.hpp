#pragma once
// Fencing tokens (issue #6): a holder of a distributed lock writes to the store only while no
// newer holder has written, whatever the lock service believes at that moment.

#include <cstdint>
#include <string_view>

#include "store/postgres/pg_connection.hpp"

namespace seckill::store::postgres {

/// Inside the caller's transaction: records `token` as the newest for `resource` and returns
/// true if it is at least the newest seen so far; returns false (recording nothing) if a newer
/// token was seen, and the caller must then roll back its writes. The row stays locked until the
/// transaction ends, so writers of one resource are serialised. Throws as PgConnection::exec.
///
///     c.transaction([&](PgConnection& tx) {
///       if (!advance_fencing_token(tx, "sale:42", token)) throw StaleToken{};
///       ...writes...
///     });
bool advance_fencing_token(PgConnection& c, std::string_view resource, std::int64_t token);

}  // namespace seckill::store::postgres
