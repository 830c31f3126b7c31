#pragma once
// The limits one HTTP server enforces on its clients.

#include <chrono>
#include <cstddef>

namespace seckill::http {

/// Plain limits with defaults fit for the service; tests shrink the timeouts.
struct ServerLimits {
  /// A larger body (by Content-Length, or as chunks arrive) is answered 413 `payload_too_large`
  /// and the connection closed; the body is not read.
  std::size_t max_body_bytes = 1024 * 1024;
  /// Request line plus header fields, in bytes; beyond it 431 `headers_too_large` and close.
  std::size_t max_header_bytes = 8 * 1024;
  /// More header fields than this is also 431.
  std::size_t max_header_count = 100;

  /// The cap on pipelining. A connection handles one request at a time, in order: it parses a
  /// request, awaits its handler, writes the response, and only then parses the next. So at most
  /// one request is read ahead of the response being written, and what a pipelining client sends
  /// early waits as raw bytes in the connection's buffer, which holds at most this many bytes;
  /// once it is full the server stops reading that socket and TCP flow control holds the client.
  std::size_t read_buffer_bytes = 64 * 1024;

  /// Time for a whole request (line, headers and body) to arrive, counted from its first byte;
  /// also how long a new connection may stay silent. A client that sends more slowly (slowloris)
  /// is disconnected without an answer.
  std::chrono::milliseconds request_timeout{10'000};
  /// How long a keep-alive connection may wait for its next request before it is closed.
  std::chrono::milliseconds idle_timeout{60'000};
  /// Time to write one response; a client that does not read is disconnected.
  std::chrono::milliseconds write_timeout{10'000};
  /// After an error answer (400, 413, 431) the server stops sending and reads and discards what
  /// the client still sends for at most this long before closing, so that the client reads the
  /// answer rather than a connection reset (the "lingering close" of HTTP servers).
  std::chrono::milliseconds linger_timeout{2'000};

  /// Open connections over all I/O threads. One more is refused at once: the server sends a
  /// best-effort 503 `unavailable` without reading the request and closes the connection.
  std::size_t max_connections = 10'000;
  /// Open connections from one peer address over all I/O threads (an IPv4 address and its
  /// v4-mapped form count as one); 0: no such cap. One more is refused like one over
  /// max_connections. Peers in Server::trust_proxies() are not capped by it: a load balancer
  /// carries every client's connections.
  std::size_t max_connections_per_address = 256;

  /// How long Server::stop() lets in-flight requests finish before it closes every connection.
  std::chrono::milliseconds shutdown_grace{10'000};
};

}  // namespace seckill::http
