#pragma once
// Where revocations are written and listed (the revocation routes use it); each mode implements
// it: Redis shared by every instance, or this process's memory.

#include <vector>

#include <boost/asio/awaitable.hpp>

#include "auth/revocation_list.hpp"

namespace seckill::auth {

class RevocationStore {
 public:
  virtual ~RevocationStore() = default;

  /// Records `revocation` (its expires_at_s already set) so that every instance refuses the
  /// tokens it names within a second; this instance at once. Throws InfraError when the shared
  /// store does not answer (then nothing is promised).
  virtual boost::asio::awaitable<void> add(Revocation revocation) = 0;

  /// Every revocation still in force.
  virtual boost::asio::awaitable<std::vector<Revocation>> list() = 0;

  /// The in-memory copy each request is checked against (TokenVerifier::set_revocations).
  virtual const RevocationList& local() const = 0;
};

}  // namespace seckill::auth
