#pragma once
// What `seckill check` must know about stock buckets (--stock-buckets, docs/scaling.md) to audit
// a voucher split over several: which buckets a voucher has, and how its buckets add up to the
// one voucher sale::audit compares with the store. Pure: the caller reads Redis.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sale/sale_audit.hpp"

namespace seckill::coordinator::redis {

/// The bucket numbers of every voucher named in kVoucherSetKey: a member "ID" is bucket 0 of
/// voucher ID, "ID:b" its bucket b (RedisStockGate::load registers them). Sorted, no
/// duplicates; members of any other shape are skipped.
std::map<std::uint64_t, std::vector<unsigned>> registered_buckets(
    std::span<const std::string> members);

/// One stock bucket of a voucher as Redis holds it.
struct BucketState {
  unsigned bucket = 0;
  std::optional<std::int64_t> stock_left;         ///< nullopt: no stock key
  std::map<std::uint64_t, std::uint64_t> buyers;  ///< user_id -> order_id
  std::uint64_t queued = 0;                       ///< entries in the bucket's order stream
};

struct CombinedBuckets {
  /// The voucher as one coordinator: stock, buyers and queues summed over the buckets; not
  /// loaded (stock_left nullopt) when bucket 0 is not.
  sale::CoordinatorView view;
  /// What only a split voucher can get wrong, as sentences naming the voucher: a bucket below
  /// zero, a bucket b > 0 without stock while bucket 0 has some, a user marked in more than one
  /// bucket or in another bucket than their home bucket.
  std::vector<std::string> differences;
};

/// Combines `buckets`, every bucket 0..bucket_count-1 of voucher `voucher_id` as read (the
/// count being the largest registered bucket + 1). A user's home bucket is
/// RedisStockGate::home_bucket(user, bucket_count).
CombinedBuckets combine_buckets(std::uint64_t voucher_id, unsigned bucket_count,
                                const std::vector<BucketState>& buckets);

}  // namespace seckill::coordinator::redis
