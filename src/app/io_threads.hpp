#pragma once
// The service's I/O threads: one io_context per thread, so a connection, its Redis pipeline and
// its coroutines live on one thread without locks.

#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace seckill::app {

class IoThreads {
 public:
  explicit IoThreads(unsigned count);
  ~IoThreads();  ///< stop() and join()
  IoThreads(const IoThreads&) = delete;
  IoThreads& operator=(const IoThreads&) = delete;

  std::vector<boost::asio::io_context*> contexts() const;
  boost::asio::io_context& first() { return *contexts_.front(); }

  /// Runs every io_context on its own thread; the calling thread runs the first one and returns
  /// when it stops.
  void run();
  /// Stops every io_context (from any thread).
  void stop();

 private:
  using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
};

}  // namespace seckill::app
