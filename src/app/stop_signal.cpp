#include "app/stop_signal.hpp"

#include <csignal>

namespace seckill::app {
namespace {

std::atomic<bool> g_stop{false};  // set from a signal handler: lock-free by static_assert below
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_stop_signal(int signal) {
  g_stop.store(true);
  std::signal(signal, SIG_DFL);
}

}  // namespace

const std::atomic<bool>& stop_on_signals() {
  static const bool installed = [] {
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    return true;
  }();
  (void)installed;
  return g_stop;
}

}  // namespace seckill::app
