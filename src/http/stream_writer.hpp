#pragma once
// A response body written over time (server-sent events), rather than all at once.

#include <functional>
#include <string_view>

#include <boost/asio/awaitable.hpp>

namespace seckill::http {

/// Handed by the server to a streaming handler once the response head is sent. Lives on the
/// connection's coroutine; used from the connection's thread only.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  /// Sends `chunk` as is (within the server's write timeout); false once the client is gone.
  virtual boost::asio::awaitable<bool> write(std::string_view chunk) = 0;
  /// The server is shutting down: finish soon (the connection is closed after the grace time).
  virtual bool stopping() const = 0;
};

/// Produces a streamed body; when it returns, the server closes the connection.
using BodyStream = std::function<boost::asio::awaitable<void>(StreamWriter&)>;

}  // namespace seckill::http
