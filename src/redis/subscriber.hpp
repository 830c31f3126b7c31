#pragma once
// Redis pub/sub: receives the messages published on some channels ("voucher sold out",
// "lock released"), on a connection of its own.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "redis/connection_options.hpp"

namespace seckill::redis {

/// Subscribes to channels (SUBSCRIBE) and calls a handler for each message.
///
/// Delivery is at most once: messages published while the connection is down are lost. After a
/// reconnection (exponential backoff, as Connection) it subscribes to all its channels again, so
/// users should treat a message as a hint and re-read the state it is about when it matters.
/// The connection is idle between messages; a dead peer is noticed by TCP (reset, keepalive).
///
/// Thread-safety: as Connection. Every member function except the destructor and `connected()`
/// must be called on the executor, which must be single-threaded; the handler runs there too.
class Subscriber {
 public:
  /// Called with each message. It must not throw (exceptions are swallowed) and should not block.
  using MessageHandler = std::function<void(std::string_view channel, std::string_view payload)>;

  /// Does not connect yet: call `connect()` or `start()`.
  Subscriber(boost::asio::any_io_executor executor, ConnectionOptions options,
             MessageHandler on_message);
  ~Subscriber();  ///< Closes the connection (on the executor).
  Subscriber(Subscriber&&) noexcept;
  Subscriber& operator=(Subscriber&&) noexcept;

  /// Adds a channel: subscribed at once if connected, and again after every reconnection.
  void subscribe(std::string channel);
  /// Removes a channel.
  void unsubscribe(std::string channel);

  /// Starts (if not started) and waits until connected with every channel added so far
  /// confirmed by Redis. Throws IoError or TimeoutError if the next connection attempt fails
  /// (it keeps retrying in the background).
  boost::asio::awaitable<void> connect();
  void start();

  void close();
  bool connected() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace seckill::redis
