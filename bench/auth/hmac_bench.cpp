// The cost of checking one bearer token, which every request pays:
//   - EvpDup: HMAC-SHA256 as the service did it before (a keyed EVP_MAC_CTX copied per call,
//     one heap allocation and free each time), kept here as the baseline;
//   - Midstate: HmacSha256 now (the key's inner and outer SHA-256 states copied on the stack);
//   - Verify: the whole TokenVerifier::verify (base64url, the HMAC, the claims' JSON).
// Same program, same run: compare the rows with each other, not with another day's.
#include <memory>
#include <string>

#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "auth/hmac_sha256.hpp"
#include "auth/token_signer.hpp"
#include "auth/token_verifier.hpp"

namespace {

constexpr std::string_view kSecret = "bench-secret-of-some-length-0123456789";

struct FreeCtx {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

class EvpDupHmac {
 public:
  explicit EvpDupHmac(std::string_view key) {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    keyed_.reset(EVP_MAC_CTX_new(mac));
    EVP_MAC_free(mac);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    EVP_MAC_init(keyed_.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                 params);
  }
  seckill::auth::HmacSha256::Digest mac(std::string_view data) const {
    std::unique_ptr<EVP_MAC_CTX, FreeCtx> ctx(EVP_MAC_CTX_dup(keyed_.get()));
    seckill::auth::HmacSha256::Digest out{};
    std::size_t len = 0;
    EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
    EVP_MAC_final(ctx.get(), out.data(), &len, out.size());
    return out;
  }

 private:
  std::unique_ptr<EVP_MAC_CTX, FreeCtx> keyed_;
};

std::string signing_input() {
  auto token = seckill::auth::TokenSigner(kSecret).sign(1234567, seckill::auth::Role::user,
                                                        std::chrono::hours(1));
  return token.substr(0, token.rfind('.'));
}

void EvpDup(benchmark::State& state) {
  EvpDupHmac hmac(kSecret);
  const auto input = signing_input();
  for (auto _ : state)
    benchmark::DoNotOptimize(hmac.mac(input));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(EvpDup);

void Midstate(benchmark::State& state) {
  seckill::auth::HmacSha256 hmac(kSecret);
  const auto input = signing_input();
  for (auto _ : state)
    benchmark::DoNotOptimize(hmac.mac(input));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Midstate);

void Verify(benchmark::State& state) {
  seckill::auth::TokenVerifier verifier(kSecret);
  auto token = seckill::auth::TokenSigner(kSecret).sign(1234567, seckill::auth::Role::user,
                                                        std::chrono::hours(1));
  for (auto _ : state)
    benchmark::DoNotOptimize(verifier.verify(token));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Verify);

}  // namespace

BENCHMARK_MAIN();
