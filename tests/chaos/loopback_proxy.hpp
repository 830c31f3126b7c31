#pragma once
// A TCP proxy on a loopback port in front of a server (Redis, PostgreSQL), for fault tests: it
// forwards bytes both ways until told to freeze them (connections stay open, nothing moves, as
// on a stalled network: the kernel still acknowledges what was sent, so only the caller's own
// timeouts can notice) or to cut every connection at once (both ends see it closed). It runs on
// its own thread; every method may be called from the test's thread.

#include <memory>

namespace seckill::testing {

class LoopbackProxy {
 public:
  /// Listens on a free 127.0.0.1 port and forwards each connection to 127.0.0.1:upstream_port.
  explicit LoopbackProxy(unsigned short upstream_port);
  ~LoopbackProxy();
  LoopbackProxy(const LoopbackProxy&) = delete;
  LoopbackProxy& operator=(const LoopbackProxy&) = delete;

  unsigned short port() const;

  /// Stops moving bytes in both directions; new connections are accepted but not connected on
  /// until thaw(). What was sent meanwhile is delivered after thaw().
  void freeze();
  void thaw();
  /// Closes every open connection, both sides, now (new ones are still accepted).
  void cut();
  /// Connections open right now.
  int connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace seckill::testing
