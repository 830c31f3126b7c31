#pragma once
// Writes a command in RESP (an array of bulk strings), binary safe.
//
// Why not hiredis's redisFormatCommandArgv: it mallocs a fresh string per command that we would
// then copy into the connection's output buffer and free. Encoding straight into that buffer is
// the same bytes (the unit test checks it against redisFormatCommandArgv) without the churn.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace seckill::redis {

/// The exact number of bytes `append_command` adds for `args`.
std::size_t encoded_size(std::span<const std::string_view> args);

/// Appends `*N\r\n$len\r\narg\r\n...` to `out`. `args` must not be empty (a command has a name).
void append_command(std::string& out, std::span<const std::string_view> args);

/// The encoded command as a fresh string.
std::string encode_command(std::span<const std::string_view> args);

}  // namespace seckill::redis
