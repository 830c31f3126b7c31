#pragma once
// Which Redis Cluster slot a key lives in (the cluster specification's key hash): CRC16 of the
// key, or of its hash tag, modulo 16384.

#include <cstdint>
#include <string_view>

namespace seckill::redis {

inline constexpr std::uint16_t kClusterSlots = 16384;

/// CRC16-CCITT (XModem: polynomial 0x1021, initial value 0), the variant Redis Cluster uses.
/// crc16("123456789") == 0x31C3.
std::uint16_t crc16(std::string_view bytes);

/// The slot of `key`. When the key holds a hash tag, a `{...}` with at least one byte between the
/// first `{` and the first `}` after it, only those bytes are hashed, so keys sharing a tag share
/// a slot (`{v:7}:stock` and `{v:7}:buyers`). `foo{}{bar}` hashes the whole key (the first tag is
/// empty), `foo{{bar}}` hashes `{bar`.
std::uint16_t key_slot(std::string_view key);

}  // namespace seckill::redis
