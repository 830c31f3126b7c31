#pragma once
// The tokens no longer accepted before their `exp`: by token id (`jti`), or every token of a
// user issued before a time. Held in memory and read on every authenticated request; filled by
// whoever shares revocations between instances (coordinator/redis/redis_revocations.hpp) or
// keeps them in the embedded store (store/sqlite/sqlite_revocations.hpp).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace seckill::auth {

/// One revocation: of the token whose `jti` is `jti`, or (jti empty) of every token of
/// `user_id` issued before `revoked_at_s` (its `iat`; a token without `iat` counts as issued
/// before). Kept until `expires_at_s`: revoked_at + --token-max-ttl, after which no token it could
/// concern is accepted anyway. Times are Unix seconds.
struct Revocation {
  std::string jti;
  std::uint64_t user_id = 0;
  double revoked_at_s = 0;
  double expires_at_s = 0;
  friend bool operator==(const Revocation&, const Revocation&) = default;
};

/// Thread-safe: many readers (every request) and a rare writer.
class RevocationList {
 public:
  /// Whether a token with these claims is revoked. One relaxed atomic load while the list is
  /// empty (the usual case); else a shared lock and two hash lookups, no allocation.
  bool revoked(std::string_view jti, std::uint64_t user_id, std::optional<double> iat_s) const;

  /// Adds one (a later revocation of the same user or token id keeps the latest time).
  void add(const Revocation& revocation);
  /// Replaces every entry with `all` (a fresh copy of a shared list).
  void replace(const std::vector<Revocation>& all);
  /// Every entry not yet expired at `now_s`, token ids first, in no particular order otherwise.
  std::vector<Revocation> entries(double now_s) const;
  /// Drops the entries expired at `now_s`.
  void forget_expired(double now_s);
  std::size_t size() const;

 private:
  struct Entry {
    double revoked_at_s = 0;
    double expires_at_s = 0;
  };
  void add_locked(const Revocation& revocation);
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry, StringHash, std::equal_to<>> tokens_;
  std::unordered_map<std::uint64_t, Entry> users_;
  std::atomic<bool> empty_{true};
};

}  // namespace seckill::auth
