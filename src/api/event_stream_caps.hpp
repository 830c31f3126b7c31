#pragma once
// How many event streams (GET /api/v1/events) each user and each client holds open on this
// instance, to cap them (EventStreamLimits).

#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <boost/asio/ip/address.hpp>

#include "core/error_code.hpp"
#include "http/client_key.hpp"

namespace seckill::api {

/// Event streams open at once on one instance (constants, no flags yet). `per_address` counts
/// per http::ClientKey: an IPv4 address, or an IPv6 /64 prefix.
struct EventStreamLimits {
  std::size_t per_user = 4;
  std::size_t per_address = 32;
};

/// Shared by the I/O threads, hence the mutex (taken once when a stream opens and once when it
/// ends, never while a stream runs). Hold it in a shared_ptr: each slot keeps it alive.
class EventStreamCaps : public std::enable_shared_from_this<EventStreamCaps> {
 public:
  /// A refused stream's retry_after_s: a dashboard reconnects in a few seconds anyway.
  static constexpr long long kRetryS = 5;

  explicit EventStreamCaps(EventStreamLimits limits) : limits_(limits) {}

  /// One open stream; the counts go down when the last copy of the slot is gone.
  class Slot {
   public:
    Slot(std::shared_ptr<EventStreamCaps> caps, std::uint64_t user,
         std::optional<http::ClientKey> client)
        : caps_(std::move(caps)), user_(user), client_(client) {}
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() { caps_->release(user_, client_); }

   private:
    std::shared_ptr<EventStreamCaps> caps_;
    std::uint64_t user_;
    std::optional<http::ClientKey> client_;
  };

  /// A slot for `user` from `client` (unspecified: counted per user only), or 429
  /// `rate_limited` (retry_after_s kRetryS) when either already holds its cap.
  std::expected<std::shared_ptr<Slot>, Failure> open(std::uint64_t user,
                                                     const boost::asio::ip::address& client);

 private:
  struct KeyHash {
    std::size_t operator()(const http::ClientKey& key) const noexcept;
  };

  void release(std::uint64_t user, const std::optional<http::ClientKey>& client);

  const EventStreamLimits limits_;
  std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::size_t> per_user_;
  std::unordered_map<http::ClientKey, std::size_t, KeyHash> per_client_;
};

}  // namespace seckill::api
