// libFuzzer target: TokenVerifier::verify on arbitrary bytes must never crash or accept a
// token it did not sign. Build with clang -fsanitize=fuzzer,address; link seckill_auth.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "auth/token_verifier.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const seckill::auth::TokenVerifier verifier("fuzz secret");
  auto result = verifier.verify(std::string_view(reinterpret_cast<const char*>(data), size));
  if (result && result->user_id == 0) std::abort();
  return 0;
}
