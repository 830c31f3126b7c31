#pragma once
// Failures of the infrastructure (a server down, a timeout, a reply we cannot read). They are
// exceptions because nobody on the request path can do anything but give up and answer 503.
// Business outcomes (sold out, already ordered, ...) are never exceptions: see error_code.hpp.

#include <stdexcept>

namespace seckill {

/// Base of every infrastructure failure. The HTTP layer turns any of them into 503 `unavailable`.
class InfraError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The connection could not be made, or broke (refused, reset, closed by the peer).
class IoError : public InfraError {
 public:
  using InfraError::InfraError;
};

/// No answer within the allowed time. The request may or may not have run on the server.
class TimeoutError : public InfraError {
 public:
  using InfraError::InfraError;
};

/// The request was sent (or queued to be sent) and the connection broke before its reply: like a
/// timeout, it may or may not have run on the server.
class ReplyLostError : public IoError {
 public:
  using IoError::IoError;
};

/// A write whose outcome is unknown (a TimeoutError or ReplyLostError on a request that changes
/// state): it may have happened. It must not be answered 503 `unavailable`, which promises that
/// nothing was done: the HTTP layer closes the connection without an answer instead, as if the
/// instance had died, and the client finds out by asking again (e.g. `already_ordered`).
class OutcomeUnknownError : public InfraError {
 public:
  using InfraError::InfraError;
};

/// The peer sent something that does not follow its protocol.
class ProtocolError : public InfraError {
 public:
  using InfraError::InfraError;
};

/// The server understood the request and answered with an error (Redis `-ERR`, SQL error).
class ReplyError : public InfraError {
 public:
  using InfraError::InfraError;
};

}  // namespace seckill
