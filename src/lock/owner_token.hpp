#pragma once
// The identity of one lock holder: 128 random bits (OpenSSL's CSPRNG) as 32 hex digits. Unlike
// an expiry timestamp it cannot be shared by two clients or guessed by a third, and comparing it
// needs no clock.

#include <string>

namespace seckill::lock {

/// Throws std::runtime_error if the CSPRNG fails.
std::string random_owner_token();

}  // namespace seckill::lock
