#include "coordinator/embedded/embedded_revocations.hpp"

#include <chrono>

namespace seckill::coordinator::embedded {

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

boost::asio::awaitable<void> EmbeddedRevocations::add(auth::Revocation revocation) {
  local_.forget_expired(now_s());
  local_.add(revocation);
  co_return;
}

boost::asio::awaitable<std::vector<auth::Revocation>> EmbeddedRevocations::list() {
  co_return local_.entries(now_s());
}

}  // namespace seckill::coordinator::embedded
