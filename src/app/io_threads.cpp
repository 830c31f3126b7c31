#include "app/io_threads.hpp"

namespace seckill::app {

IoThreads::IoThreads(unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    // Concurrency hint 1: each io_context is run by exactly one thread, so Asio can skip locking.
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.emplace_back(contexts_.back()->get_executor());
  }
}

IoThreads::~IoThreads() {
  stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::vector<boost::asio::io_context*> IoThreads::contexts() const {
  std::vector<boost::asio::io_context*> out;
  for (const auto& c : contexts_)
    out.push_back(c.get());
  return out;
}

void IoThreads::run() {
  for (std::size_t i = 1; i < contexts_.size(); ++i) {
    threads_.emplace_back([ctx = contexts_[i].get()] { ctx->run(); });
  }
  contexts_.front()->run();
  for (auto& t : threads_)
    t.join();
  threads_.clear();
}

void IoThreads::stop() {
  for (auto& g : guards_)
    g.reset();
  for (auto& c : contexts_)
    c->stop();
}

}  // namespace seckill::app
