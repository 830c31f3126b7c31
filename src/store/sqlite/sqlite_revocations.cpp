#include "store/sqlite/sqlite_revocations.hpp"

#include <chrono>
#include <cstdint>
#include <utility>

namespace seckill::store::sqlite {

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

void upsert_revocation(SqliteConnection& c, const auth::Revocation& r, double now_s) {
  // As RevocationList: a token id, when given, is the whole key.
  const auto user = r.jti.empty() ? static_cast<std::int64_t>(r.user_id) : std::int64_t{0};
  c.query(
       "insert into revocations (jti, user_id, revoked_at, expires_at) values (?1, ?2, ?3, ?4) "
       "on conflict (jti, user_id) do update set "
       "revoked_at = max(revoked_at, excluded.revoked_at), "
       "expires_at = max(expires_at, excluded.expires_at)")
      .bind_text(1, r.jti)
      .bind(2, user)
      .bind_real(3, r.revoked_at_s)
      .bind_real(4, r.expires_at_s)
      .run();
  c.query("delete from revocations where expires_at <= ?1").bind_real(1, now_s).run();
}

std::vector<auth::Revocation> select_revocations(SqliteConnection& c, double now_s) {
  auto q =
      c.query("select jti, user_id, revoked_at, expires_at from revocations where expires_at > ?1");
  q.bind_real(1, now_s);
  std::vector<auth::Revocation> out;
  while (q.step()) {
    out.push_back(
        auth::Revocation{q.text(0), static_cast<std::uint64_t>(q.int64(1)), q.real(2), q.real(3)});
  }
  return out;
}

SqliteRevocations::SqliteRevocations(SqliteDatabase& db) : db_(db) {
  const double now = now_s();
  local_.replace(db_.read_now([now](SqliteConnection& c) { return select_revocations(c, now); }));
}

boost::asio::awaitable<void> SqliteRevocations::add(auth::Revocation revocation) {
  const double now = now_s();
  auto job = [revocation, now](SqliteConnection& c) { upsert_revocation(c, revocation, now); };
  co_await db_.write(std::move(job));
  local_.forget_expired(now);
  local_.add(revocation);
}

boost::asio::awaitable<std::vector<auth::Revocation>> SqliteRevocations::list() {
  co_return local_.entries(now_s());
}

}  // namespace seckill::store::sqlite
