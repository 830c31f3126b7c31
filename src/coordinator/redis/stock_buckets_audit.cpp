#include "coordinator/redis/stock_buckets_audit.hpp"

#include <set>

#include <fmt/format.h>

#include "coordinator/redis/redis_stock_gate.hpp"
#include "coordinator/redis/sale_keys.hpp"

namespace seckill::coordinator::redis {

std::map<std::uint64_t, std::vector<unsigned>> registered_buckets(
    std::span<const std::string> members) {
  std::map<std::uint64_t, std::set<unsigned>> found;
  for (const std::string& member : members) {
    if (auto parsed = parse_voucher_member(member))
      found[parsed->voucher_id].insert(parsed->bucket);
  }
  std::map<std::uint64_t, std::vector<unsigned>> out;
  for (const auto& [voucher, buckets] : found)
    out[voucher] = std::vector<unsigned>(buckets.begin(), buckets.end());
  return out;
}

CombinedBuckets combine_buckets(std::uint64_t voucher_id, unsigned bucket_count,
                                const std::vector<BucketState>& buckets) {
  CombinedBuckets out;
  auto& differences = out.differences;
  const auto v = voucher_id;
  std::map<std::uint64_t, unsigned> bucket_of;  // user -> the first bucket marking them
  bool loaded = false;
  std::vector<unsigned> unloaded;  // buckets b > 0 without a stock key
  std::int64_t total = 0;
  for (const BucketState& b : buckets) {
    out.view.queued += b.queued;
    if (b.stock_left) {
      if (b.bucket == 0) loaded = true;
      total += *b.stock_left;
      if (*b.stock_left < 0) {
        differences.push_back(
            fmt::format("voucher {}: bucket {} holds stock {} < 0", v, b.bucket, *b.stock_left));
      }
    } else if (b.bucket != 0) {
      unloaded.push_back(b.bucket);
    }
    for (const auto& [user, order] : b.buyers) {
      auto [first, fresh] = bucket_of.emplace(user, b.bucket);
      if (fresh) {
        out.view.buyers[user] = order;
      } else {
        differences.push_back(
            fmt::format("voucher {}: user {} is marked in buckets {} and {}: two orders ({}, {})",
                        v, user, first->second, b.bucket, out.view.buyers[user], order));
      }
      const unsigned home = RedisStockGate::home_bucket(user, bucket_count);
      if (home != b.bucket) {
        differences.push_back(
            fmt::format("voucher {}: user {} is marked in bucket {}, their home bucket is {} of {}",
                        v, user, b.bucket, home, bucket_count));
      }
    }
  }
  if (!loaded) return out;  // never sold: sale::audit then expects no order at all
  for (unsigned b : unloaded) {
    differences.push_back(
        fmt::format("voucher {}: bucket {} of {} has no stock (not loaded)", v, b, bucket_count));
  }
  out.view.stock_left = total;
  return out;
}

}  // namespace seckill::coordinator::redis
