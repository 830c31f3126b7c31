#include "store/sqlite/fencing.hpp"

namespace seckill::store::sqlite {

bool advance_fencing_token(SqliteConnection& c, std::string_view resource, std::int64_t token) {
  return c.query(
              "insert into fencing_tokens (resource, token) values (?1, ?2) "
              "on conflict (resource) do update set token = excluded.token "
              "where fencing_tokens.token <= excluded.token")
             .bind_text(1, resource)
             .bind(2, token)
             .run() == 1;
}

}  // namespace seckill::store::sqlite
