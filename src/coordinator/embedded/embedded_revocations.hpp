#pragma once
// The embedded mode's revocations: in this process's memory only (one instance sees every
// request). Not persisted: a restart forgets them (the SQLite store has no table for them yet),
// so a token revoked before a restart is accepted again until its exp.

#include "auth/revocation_store.hpp"

namespace seckill::coordinator::embedded {

class EmbeddedRevocations final : public auth::RevocationStore {
 public:
  boost::asio::awaitable<void> add(auth::Revocation revocation) override;
  boost::asio::awaitable<std::vector<auth::Revocation>> list() override;
  const auth::RevocationList& local() const override { return local_; }

 private:
  auth::RevocationList local_;
};

}  // namespace seckill::coordinator::embedded
