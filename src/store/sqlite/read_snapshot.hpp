#pragma once
// Several reads that must see one state of the file (records and their users, vouchers and
// their orders): one read transaction around them.

#include <string_view>

#include "store/sqlite/sqlite_connection.hpp"

namespace seckill::store::sqlite {

/// Runs f() inside one transaction, so every read in it sees one snapshot; commits, or rolls
/// back and rethrows. On a connection already inside a transaction (the writer's), f() runs in
/// that one.
template <typename F>
auto read_snapshot(SqliteConnection& c, F f) {
  if (!c.autocommit()) return f();
  c.query(std::string_view("begin")).run();
  try {
    auto out = f();
    c.query(std::string_view("commit")).run();
    return out;
  } catch (...) {
    if (!c.autocommit()) c.query(std::string_view("rollback")).run();
    throw;
  }
}

}  // namespace seckill::store::sqlite
