#pragma once
// The tokens verified lately: a client sends the same token with every request of its session,
// and checking its HMAC and reading its claims again each time was most of the cost of an
// authenticated request that is answered from memory (a repeated reminder, a sold-out answer).

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include "auth/principal.hpp"
#include "auth/token_claims.hpp"

namespace seckill::auth {

/// A small direct-mapped table of verified tokens, by their exact bytes. Only tokens that
/// verified are remembered, so a hit is as good as a verification: the bytes are the same as
/// those whose signature was checked. The expiry and `nbf` are checked again on every hit (the
/// time given may be earlier than that of the verification); a newer token in
/// the same slot replaces an older one. Thread-safe (one short lock per call).
class RecentTokens {
 public:
  static constexpr std::size_t kSlots = 256;
  /// Longer tokens are not remembered (ours are ~150 bytes).
  static constexpr std::size_t kMaxTokenBytes = 320;

  RecentTokens();
  ~RecentTokens();

  /// The claims of `token` if it verified lately and is valid at `now_s` (Unix seconds):
  /// nbf_s <= now_s < exp_s.
  std::optional<Claims> find(std::string_view token, double now_s) const;

  /// Remembers a token that verified, with its claims.
  void remember(std::string_view token, const Claims& claims);

 private:
  struct Slot {
    std::array<char, kMaxTokenBytes> bytes;
    std::size_t size = 0;    // 0: empty
    std::uint64_t tail = 0;  // the token's last eight bytes
    Claims claims;
  };
  mutable std::mutex mutex_;
  std::unique_ptr<std::array<Slot, kSlots>> slots_;
};

}  // namespace seckill::auth
