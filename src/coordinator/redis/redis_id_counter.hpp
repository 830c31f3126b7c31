#pragma once
// The id counter on Redis: the INCRBY behind id::CounterSequenceSource (one call per block of
// ids, fetched ahead of use by id::IdGenerator, so never on a purchase's path).

#include "id/counter_sequence_source.hpp"
#include "redis/client.hpp"

namespace seckill::coordinator::redis {

/// `INCRBY key by` on `client` (which must outlive the result). With `ack.replicas` > 0
/// (--redis-ack-replicas) it is followed by WAIT on the same connection, as a taken order is:
/// a block that fewer replicas acknowledged in time throws IoError and is never used (its
/// numbers are lost; the generator fetches another block later), because a failover could
/// forget that INCRBY and hand the same block out again, and the store would then skip the
/// second order with a reused id: a promise lost (docs/scaling.md).
id::IncrBy redis_incr_by(seckill::redis::Client& client, seckill::redis::AckReplicas ack);

/// The same through reserve_ids.lua (raise to a floor, then INCRBY; -1 for a missing counter
/// unless told to create it), for the seeded id::CounterSequenceSource; WAIT as above.
id::ReserveAbove redis_reserve_above(seckill::redis::Client& client,
                                     seckill::redis::AckReplicas ack);

}  // namespace seckill::coordinator::redis
