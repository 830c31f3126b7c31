#pragma once
// Fencing tokens in the embedded store (issue #6), as store/postgres/fencing.hpp: a holder of a
// lock writes only while no newer holder has written.

#include <cstdint>
#include <string_view>

#include "store/sqlite/sqlite_connection.hpp"

namespace seckill::store::sqlite {

/// Inside the caller's write (SqliteDatabase::write, one writer at a time): records `token` as
/// the newest for `resource` and returns true if it is at least the newest seen so far; returns
/// false (recording nothing) if a newer token was seen, and the caller must then make no write
/// (throw, so its savepoint is rolled back). Throws SqliteError.
bool advance_fencing_token(SqliteConnection& c, std::string_view resource, std::int64_t token);

}  // namespace seckill::store::sqlite
