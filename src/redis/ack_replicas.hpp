#pragma once
// Waiting for replicas to hold a write before answering (WAIT), for writes that must survive the
// loss of the master that took them.

#include <chrono>

namespace seckill::redis {

/// After a script or a command ran, send `WAIT replicas timeout` on the same connection (WAIT
/// counts the replicas that acknowledged every write made so far on that connection, ours
/// included). `replicas == 0`: no WAIT, the default and the fast path. Fewer replicas than asked
/// within `timeout`: the call throws IoError although the script or command ran (see
/// detail::wait_for_replicas).
struct AckReplicas {
  int replicas = 0;
  std::chrono::milliseconds timeout{100};
};

}  // namespace seckill::redis
