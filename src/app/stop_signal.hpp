#pragma once
// Ctrl-C for the client verbs (bench, demo): the first SIGINT or SIGTERM asks the run to stop
// and clean up (the demo stops what it started); a second one ends the process at once.

#include <atomic>

namespace seckill::app {

/// Installs the handlers (once) and returns the flag they set.
const std::atomic<bool>& stop_on_signals();

}  // namespace seckill::app
