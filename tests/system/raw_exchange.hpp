#pragma once
// Raw bytes to a server, for tests of hostile clients: no HTTP library in the way, so a test
// can send anything (broken request lines, NUL bytes, half a request) from any loopback source
// address, and see exactly what comes back.

#include <chrono>
#include <string>

namespace seckill::testing {

struct RawAnswer {
  /// The status of the first response, 0 when the server closed (or timed out) without one.
  int status = 0;
  std::string head;  ///< status line and headers of that response
  std::string body;
  /// The server closed the connection (rather than keeping it open after its answer).
  bool closed = false;
  /// Whether the server had closed the connection by the time `wait` ran out.
  bool timed_out = false;
};

struct RawOptions {
  /// Source address to connect from (any of 127.0.0.0/8 works on Linux); empty: the default.
  std::string source;
  /// Time for the whole exchange; on expiry the answer so far is returned with timed_out.
  std::chrono::milliseconds wait{5000};
  /// Send `bytes` in pieces of this size with `pause` between them (slowloris); 0: at once.
  std::size_t piece = 0;
  std::chrono::milliseconds pause{0};
};

/// Connects to 127.0.0.1:port, sends `bytes`, and reads until one whole response
/// (Content-Length) has arrived or the server closes. Never throws for network trouble.
RawAnswer raw_exchange(unsigned short port, const std::string& bytes,
                       const RawOptions& options = {});

/// Resident memory of a process in KiB (VmRSS from /proc/PID/status), 0 if unknown.
long rss_kib(int pid);

}  // namespace seckill::testing
