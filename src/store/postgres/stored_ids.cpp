#include "store/postgres/stored_ids.hpp"

namespace seckill::store::postgres {

namespace {

constexpr PgStatement kLargestSequence{"ids_largest_sequence", R"(
select coalesce(max(id & 4294967295), 0)::bigint from (
  select id from vouchers where id >= $1 and id < $2
  union all select id from orders where id >= $1 and id < $2
  union all select id from reminders where id >= $1 and id < $2
) as day_ids)"};

}  // namespace

std::uint64_t largest_sequence(PgConnection& c, std::uint64_t first_id, std::uint64_t end_id) {
  return static_cast<std::uint64_t>(c.exec(kLargestSequence, {first_id, end_id}).int64(0, 0));
}

}  // namespace seckill::store::postgres
