#pragma once
// The byte stream under a Redis connection: plain TCP, or TLS over that TCP socket for
// `rediss://`, chosen each time the connection opens. A read or a write costs one branch on top
// of the socket's own operation: no virtual call, no allocation.

#include <optional>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

namespace seckill::redis::detail {

class Stream {
 public:
  using Socket = boost::asio::ip::tcp::socket;
  /// Over a reference to the socket: a new TLS session per connection, the socket kept.
  using TlsStream = boost::asio::ssl::stream<Socket&>;

  explicit Stream(const boost::asio::any_io_executor& executor) : socket_(executor) {}
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  Socket& socket() { return socket_; }
  bool tls() const { return tls_.has_value(); }

  /// Closes the socket; operations in flight complete with an error. The TLS session stays
  /// until the next `reset()`, so those completions never touch a destroyed session.
  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  /// Closes, and forgets the TLS session of the previous connection. Call it only when no
  /// operation is in flight (before opening a new connection: the reconnect waits its backoff
  /// after `close()`, and every aborted operation completes at once).
  void reset() {
    close();
    tls_.reset();
  }

  /// Layers a TLS session over the (connected) socket; the caller handshakes on it.
  TlsStream& start_tls(boost::asio::ssl::context& context) {
    return tls_.emplace(socket_, context);
  }

  template <typename MutableBuffers, typename Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    if (tls_) return tls_->async_read_some(buffers, std::forward<Token>(token));
    return socket_.async_read_some(buffers, std::forward<Token>(token));
  }

  /// Writes all of `buffers` (boost::asio::async_write on the TLS session or the socket).
  template <typename ConstBuffers, typename Token>
  auto async_write_all(const ConstBuffers& buffers, Token&& token) {
    if (tls_) return boost::asio::async_write(*tls_, buffers, std::forward<Token>(token));
    return boost::asio::async_write(socket_, buffers, std::forward<Token>(token));
  }

 private:
  Socket socket_;
  std::optional<TlsStream> tls_;
};

}  // namespace seckill::redis::detail
