#pragma once
// Process-wide logging set-up (spdlog's default logger, on stderr).

#include <string>

namespace seckill::app {

/// `level` is one of trace, debug, info, warn, error (checked by the command line).
void setup_logging(const std::string& level);

}  // namespace seckill::app
