#pragma once
// The lock-based reminder strategy's "cached per-user check": users who remind again inside
// their window are refused from a cache, without taking the ticket's lock or reading the store.
// A hint only: an entry never outlives the user's window (it is set with the window's absolute
// end, counted from the decision's time, less a margin), and a missing entry just sends the
// reminder to the locked, authoritative path.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/rfc3339.hpp"

namespace seckill::lock {

struct CachedWindow {
  std::chrono::milliseconds left{0};
  /// The record the user's reminder is in (0: not known).
  std::uint64_t reminder_id = 0;
};

class UserWindowCache {
 public:
  virtual ~UserWindowCache() = default;

  /// What is left of the user's window on `ticket` and the record their reminder is in, or
  /// nullopt when the cache knows of none. Throws InfraError.
  virtual boost::asio::awaitable<std::optional<CachedWindow>> remaining(std::string ticket,
                                                                        std::uint64_t user_id) = 0;

  /// The user's window on `ticket` ends at `until` (an absolute time, so however long the write
  /// took, the entry ends with the window); their reminder is in `reminder_id`. An `until` already
  /// past stores nothing. Best effort: throws InfraError.
  virtual boost::asio::awaitable<void> remember(std::string ticket, std::uint64_t user_id,
                                                SysTime until, std::uint64_t reminder_id) = 0;
};

}  // namespace seckill::lock
