#pragma once
// Bearer tokens for the load generator's users, minted in process: the first many ahead of the
// run (so signing does not take CPU from the server being measured), any beyond on demand.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/token_signer.hpp"

namespace seckill::loadgen {

class TokenBook {
 public:
  /// Mints tokens for users first_user .. first_user + ahead - 1 on `threads` threads.
  TokenBook(std::string_view secret, std::uint64_t first_user, std::uint64_t ahead,
            unsigned threads);

  /// The token of `user`: a view into the book, or into `scratch` when minted now.
  std::string_view token(std::uint64_t user, std::string& scratch) const;

  /// A token with the admin role (vouchers are created by an admin).
  std::string admin_token(std::uint64_t user) const;

 private:
  auth::TokenSigner signer_;
  std::uint64_t first_user_;
  std::vector<std::string> minted_;
};

}  // namespace seckill::loadgen
