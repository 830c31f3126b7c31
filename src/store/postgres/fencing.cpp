#include "store/postgres/fencing.hpp"

namespace seckill::store::postgres {

namespace {

constexpr PgStatement kAdvance{"fencing_advance",
                               "insert into fencing_tokens (resource, token) values ($1, $2) "
                               "on conflict (resource) do update set token = excluded.token "
                               "where fencing_tokens.token <= excluded.token"};

}  // namespace

bool advance_fencing_token(PgConnection& c, std::string_view resource, std::int64_t token) {
  return c.exec(kAdvance, {resource, token}).affected_rows() == 1;
}

}  // namespace seckill::store::postgres
