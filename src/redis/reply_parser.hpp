#pragma once
// Turns the bytes Redis sends into Reply values. hiredis's `redisReader` does the RESP parsing
// (it is the only part of hiredis we use: all I/O is ours); this class owns it and converts each
// of its replies into a Reply.

#include <memory>
#include <optional>
#include <string_view>

#include "redis/reply.hpp"

struct redisReader;

namespace seckill::redis {

/// An incremental RESP2 parser: feed it bytes as they arrive, in pieces of any size, and take the
/// complete replies out in order. Not thread-safe (one per connection).
class ReplyParser {
 public:
  ReplyParser();  ///< Throws std::bad_alloc.
  ~ReplyParser();
  ReplyParser(ReplyParser&&) noexcept;
  ReplyParser& operator=(ReplyParser&&) noexcept;

  /// Appends received bytes. Throws ProtocolError if the parser is in error from earlier input.
  void feed(std::string_view bytes);

  /// The next complete reply, or nullopt if more bytes are needed. Throws ProtocolError on input
  /// that is not RESP2; the parser stays in error until `reset()`.
  std::optional<Reply> next();

  /// Forgets all buffered input and any error (used when a connection is re-established).
  void reset();

 private:
  struct ReaderDeleter {
    void operator()(redisReader* reader) const;
  };
  std::unique_ptr<redisReader, ReaderDeleter> reader_;
};

}  // namespace seckill::redis
