#include "auth/recent_tokens.hpp"

#include <cstdint>
#include <cstring>

#include <openssl/crypto.h>

namespace seckill::auth {

RecentTokens::RecentTokens() : slots_(std::make_unique<std::array<Slot, kSlots>>()) {}
RecentTokens::~RecentTokens() = default;

namespace {

// The last eight bytes are the end of the signature: as good as random, and cheap to mix.
std::uint64_t tail_of(std::string_view token) {
  std::uint64_t tail = 0;
  std::memcpy(&tail, token.data() + token.size() - sizeof tail, sizeof tail);
  return tail;
}

std::size_t slot_of(std::uint64_t tail) {
  return static_cast<std::size_t>((tail * 0x9e3779b97f4a7c15ULL) >> 56) % RecentTokens::kSlots;
}

}  // namespace

std::optional<Claims> RecentTokens::find(std::string_view token, double now_s) const {
  if (token.size() < sizeof(std::uint64_t) || token.size() > kMaxTokenBytes) return std::nullopt;
  const std::uint64_t tail = tail_of(token);
  const Slot& slot = (*slots_)[slot_of(tail)];
  std::lock_guard lock(mutex_);
  // The tail first, in one comparison: another token (every request of a sale by distinct
  // users) is turned away at once. Only a whole 48-bit guess of a cached signature's end would
  // pass it, which shows nothing of the rest; the rest is then compared in constant time, like
  // a signature, so no prefix of someone else's token can be learnt from the time taken.
  if (slot.tail != tail || slot.size != token.size() ||
      CRYPTO_memcmp(slot.bytes.data(), token.data(), token.size()) != 0 ||
      now_s >= slot.claims.exp_s || now_s < slot.claims.nbf_s) {
    return std::nullopt;
  }
  return slot.claims;
}

void RecentTokens::remember(std::string_view token, const Claims& claims) {
  if (token.size() < sizeof(std::uint64_t) || token.size() > kMaxTokenBytes) return;
  const std::uint64_t tail = tail_of(token);
  Slot& slot = (*slots_)[slot_of(tail)];
  std::lock_guard lock(mutex_);
  std::memcpy(slot.bytes.data(), token.data(), token.size());
  slot.size = token.size();
  slot.tail = tail;
  slot.claims = claims;
}

}  // namespace seckill::auth
