#pragma once
// Turns the bytes Redis sends into Reply values: an incremental RESP2 reader of our own that
// builds each Reply directly from the input (hiredis's reader, used before, built its own reply
// tree first, which was then copied into ours and freed: three allocations per value where one
// does, on every reply of every command).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/reply.hpp"

namespace seckill::redis {

/// An incremental RESP2 parser: feed it bytes as they arrive, in pieces of any size, and take the
/// complete replies out in order. Not thread-safe (one per connection).
class ReplyParser {
 public:
  ReplyParser();
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
  /// An array whose elements are still being read: a reply split over several feeds resumes
  /// where it stopped, without reading its first elements again.
  struct OpenArray {
    std::vector<Reply> elements;
    std::size_t left = 0;
  };

  [[noreturn]] void fail(std::string_view why);
  bool line(std::string_view& text, std::size_t& after);
  std::int64_t number(std::string_view text);

  std::string buffer_;   // received bytes; those before pos_ are consumed
  std::size_t pos_ = 0;  // where the next value starts
  std::vector<OpenArray> open_;
  std::string error_;  // set once the input was not RESP2
};

}  // namespace seckill::redis
