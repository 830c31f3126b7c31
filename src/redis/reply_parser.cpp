#include "redis/reply_parser.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/infra_error.hpp"

namespace seckill::redis {
namespace {

// Arrays nested deeper than this are refused (Redis's replies nest a few levels at most).
constexpr std::size_t kMaxDepth = 64;
// An array's elements are reserved up to this many at once; a longer one grows as it fills, so
// a corrupt length cannot make us allocate gigabytes up front.
constexpr std::int64_t kMaxReserve = 1024;
// Consumed input is dropped at the next feed when it is this large, and whenever nothing
// unconsumed is left (the common case: replies end where a read ends).
constexpr std::size_t kCompactAt = 64 * 1024;

}  // namespace

ReplyParser::ReplyParser() = default;
ReplyParser::~ReplyParser() = default;
ReplyParser::ReplyParser(ReplyParser&&) noexcept = default;
ReplyParser& ReplyParser::operator=(ReplyParser&&) noexcept = default;

void ReplyParser::feed(std::string_view bytes) {
  if (!error_.empty()) throw ProtocolError(error_);
  if (pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  } else if (pos_ >= kCompactAt) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(bytes);
}

void ReplyParser::reset() {
  buffer_.clear();
  pos_ = 0;
  open_.clear();
  error_.clear();
}

void ReplyParser::fail(std::string_view why) {
  error_ = "redis: malformed reply: ";
  error_ += why;
  throw ProtocolError(error_);
}

// The text after the type byte at pos_ up to CRLF, and where the next byte after it is; false
// when the line is not complete yet.
bool ReplyParser::line(std::string_view& text, std::size_t& after) {
  const char* begin = buffer_.data() + pos_ + 1;
  const char* end = buffer_.data() + buffer_.size();
  if (begin >= end) return false;
  const auto* cr =
      static_cast<const char*>(std::memchr(begin, '\r', static_cast<std::size_t>(end - begin)));
  if (cr == nullptr || cr + 1 == end) return false;
  if (cr[1] != '\n') fail("a line with a CR not followed by LF");
  text = std::string_view(begin, static_cast<std::size_t>(cr - begin));
  after = static_cast<std::size_t>(cr + 2 - buffer_.data());
  return true;
}

std::int64_t ReplyParser::number(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
    fail("not an integer where one is due");
  }
  return value;
}

std::optional<Reply> ReplyParser::next() {
  if (!error_.empty()) throw ProtocolError(error_);
  for (;;) {
    if (pos_ >= buffer_.size()) return std::nullopt;
    std::string_view text;
    std::size_t after = 0;
    if (!line(text, after)) return std::nullopt;
    Reply value;
    switch (buffer_[pos_]) {
      case '+':
        value = Reply::status(std::string(text));
        pos_ = after;
        break;
      case '-':
        value = Reply::error(std::string(text));
        pos_ = after;
        break;
      case ':':
        value = Reply::integer(number(text));
        pos_ = after;
        break;
      case '$': {
        const std::int64_t n = number(text);
        if (n == -1) {
          pos_ = after;  // nil
          break;
        }
        if (n < 0) fail("a negative bulk length");
        const auto size = static_cast<std::size_t>(n);
        if (buffer_.size() - after < size + 2) return std::nullopt;  // the rest is on its way
        if (buffer_[after + size] != '\r' || buffer_[after + size + 1] != '\n') {
          fail("a bulk string longer than its length");
        }
        value = Reply::string(std::string(buffer_.data() + after, size));
        pos_ = after + size + 2;
        break;
      }
      case '*': {
        const std::int64_t n = number(text);
        pos_ = after;
        if (n == -1) break;  // nil
        if (n < 0) fail("a negative array length");
        if (n == 0) {
          value = Reply::array({});
          break;
        }
        if (open_.size() >= kMaxDepth) fail("arrays nested too deeply");
        open_.emplace_back();
        open_.back().elements.reserve(static_cast<std::size_t>(std::min(n, kMaxReserve)));
        open_.back().left = static_cast<std::size_t>(n);
        continue;  // its first element
      }
      default:
        fail("an unknown type byte");
    }
    // A value is complete: it fills a slot of the innermost open array, which may complete that
    // array in turn, and so on outwards; with no array open it is the reply.
    bool more = false;
    while (!open_.empty()) {
      OpenArray& top = open_.back();
      top.elements.push_back(std::move(value));
      if (--top.left > 0) {
        more = true;
        break;
      }
      value = Reply::array(std::move(top.elements));
      open_.pop_back();
    }
    if (!more) return value;
  }
}

}  // namespace seckill::redis
