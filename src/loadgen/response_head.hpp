#pragma once
// The little of an HTTP/1.1 response the load generator needs: status, where the body is, and
// whether the server will close. Not a general parser: it expects Content-Length framing, which
// is what the service sends.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace seckill::loadgen {

struct ResponseHead {
  enum class State { incomplete, complete, malformed };
  State state = State::incomplete;
  int status = 0;
  std::size_t head_size = 0;       ///< bytes up to and including the blank line
  std::size_t content_length = 0;  ///< 0 when absent
  bool close = false;              ///< `Connection: close`
};

/// Reads the head at the start of `bytes`: incomplete until the blank line has arrived.
ResponseHead parse_response_head(std::string_view bytes);

/// The `code` of a `{"error": {"code": "..."}}` body, or "" if there is none.
std::string_view error_code_of(std::string_view body);

}  // namespace seckill::loadgen
