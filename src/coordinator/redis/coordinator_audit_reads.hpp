#pragma once
// What `seckill check` reads of the coordinator's Redis state, shaped for the audits
// (stock_buckets_audit.hpp, sale/sale_audit.hpp, remind/reminder_audit.hpp). Reads only; an
// operator's tool (it SCANs the reminder keys), never a request path. Each throws InfraError.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "coordinator/redis/stock_buckets_audit.hpp"
#include "redis/client.hpp"
#include "remind/reminder_audit.hpp"

namespace seckill::coordinator::redis {

/// The bucket count of each voucher of `ids`: the largest registered bucket + 1; a voucher never
/// registered (never sold) has bucket 0 only.
boost::asio::awaitable<std::map<std::uint64_t, unsigned>> bucket_counts(
    seckill::redis::Client& client, std::vector<std::uint64_t> ids);

/// Entries waiting in the order streams of every bucket of `buckets`.
boost::asio::awaitable<std::uint64_t> queued_orders(seckill::redis::Client& client,
                                                    std::map<std::uint64_t, unsigned> buckets);

/// Bucket `bucket` of voucher `id`: its stock, buyers and queued orders.
boost::asio::awaitable<BucketState> read_bucket(seckill::redis::Client& client, std::uint64_t id,
                                                unsigned bucket);

/// Entries waiting in the reminder partitions' event streams.
boost::asio::awaitable<std::uint64_t> queued_reminders(seckill::redis::Client& client);

/// Every ticket's open-record pointer (its window's end from the key's expiry) and every
/// user window (remind.lua's keys, remind_keys.hpp), and the queued reminders. A key that
/// expires between the SCAN and its read is skipped.
boost::asio::awaitable<remind::CoordinatorReminders> read_reminders(seckill::redis::Client& client);

}  // namespace seckill::coordinator::redis
