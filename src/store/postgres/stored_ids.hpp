#pragma once
// What the store knows of the ids it holds, for seeding a lost id counter (issue #15): the day's
// counter must start above every sequence number of the day already stored.

#include <cstdint>

#include "store/postgres/pg_connection.hpp"

namespace seckill::store::postgres {

/// The largest sequence number (the low 32 bits, id_layout.hpp) among the ids in
/// [first_id, end_id) of vouchers, orders and reminders, or 0 if there are none. Ids of one
/// day are one such range (id::ids_of_day); an index range scan of each table's primary key.
std::uint64_t largest_sequence(PgConnection& c, std::uint64_t first_id, std::uint64_t end_id);

}  // namespace seckill::store::postgres
