#include "loadgen/token_book.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace seckill::loadgen {
namespace {

// Long enough for any run; short enough that a leaked token is soon useless.
constexpr std::chrono::seconds kTtl{6 * 3600};

}  // namespace

TokenBook::TokenBook(std::string_view secret, std::uint64_t first_user, std::uint64_t ahead,
                     unsigned threads)
    : signer_(secret), first_user_(first_user), minted_(ahead) {
  threads = std::max(1u, threads);
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([this, t, threads, ahead] {
      for (std::uint64_t i = t; i < ahead; i += threads) {
        minted_[i] = signer_.sign(first_user_ + i, auth::Role::user, kTtl);
      }
    });
  }
  for (auto& w : workers)
    w.join();
}

std::string_view TokenBook::token(std::uint64_t user, std::string& scratch) const {
  if (user >= first_user_ && user - first_user_ < minted_.size())
    return minted_[user - first_user_];
  scratch = signer_.sign(user, auth::Role::user, kTtl);
  return scratch;
}

std::string TokenBook::admin_token(std::uint64_t user) const {
  return signer_.sign(user, auth::Role::admin, kTtl);
}

}  // namespace seckill::loadgen
