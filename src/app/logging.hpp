#pragma once
// Process-wide logging set-up (spdlog's default logger, on stderr).

#include <string>

namespace seckill::app {

/// `level` is one of trace, debug, info, warn, error (checked by the command line).
void setup_logging(const std::string& level);

/// As above; `format` "json" writes each event as one JSON object a line,
/// {"ts":"2026-11-22T10:00:00.123Z","level":"info","thread":123,"msg":"..."}, so that a
/// collector needs no parsing rules; "text" is the human form. Messages carry their details as
/// `key=value` pairs (request_id=..., route=...) and never a token or a secret.
void setup_logging(const std::string& level, const std::string& format);

}  // namespace seckill::app
