#pragma once
// One RESP2 reply of Redis, as a plain value: no C handle, no reference into a read buffer, so it
// can outlive the connection that received it and be moved between threads.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace seckill::redis {

/// A RESP2 reply: status (`+OK`), error (`-ERR ...`), integer, bulk string, nil, or an array of
/// replies (nested arrays allowed).
///
/// An error reply is a value, not an exception: `Connection::command` returns it, and the typed
/// accessors (`as_integer()`, `as_string()`, `elements()`) throw `ReplyError` with the server's
/// message when called on one, so `(co_await c.command({"INCR", k})).as_integer()` either yields
/// the number or throws. Asking for the wrong type throws `ProtocolError` (the server answered
/// something the caller did not expect from that command).
class Reply {
 public:
  enum class Type : std::uint8_t { kNil, kStatus, kError, kInteger, kString, kArray };

  /// A nil reply.
  Reply() = default;

  static Reply nil() { return {}; }
  static Reply status(std::string text) { return Reply(Type::kStatus, std::move(text)); }
  static Reply error(std::string message) { return Reply(Type::kError, std::move(message)); }
  static Reply string(std::string bytes) { return Reply(Type::kString, std::move(bytes)); }
  static Reply integer(std::int64_t value);
  static Reply array(std::vector<Reply> elements);

  Type type() const { return type_; }
  bool is_nil() const { return type_ == Type::kNil; }
  bool is_status() const { return type_ == Type::kStatus; }
  bool is_error() const { return type_ == Type::kError; }
  bool is_integer() const { return type_ == Type::kInteger; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }

  /// The integer of an integer reply. Throws ReplyError on an error reply, ProtocolError on any
  /// other type.
  std::int64_t as_integer() const;

  /// The bytes of a bulk string or the text of a status reply (binary safe). Throws ReplyError on
  /// an error reply, ProtocolError on any other type (nil included: see `is_nil()`).
  std::string_view as_string() const;

  /// The elements of an array reply. Throws ReplyError on an error reply, ProtocolError on any
  /// other type.
  std::span<const Reply> elements() const;

  /// The message of an error reply (e.g. "NOSCRIPT No matching script..."); empty otherwise.
  std::string_view error_message() const {
    return is_error() ? std::string_view(text_) : std::string_view();
  }

  /// Throws ReplyError if this is an error reply; returns *this otherwise.
  const Reply& value() const;

  /// A short readable form for logs and test failures, e.g. `[1, "a", nil, (error) ERR x]`.
  std::string to_debug_string() const;

  friend bool operator==(const Reply&, const Reply&) = default;

 private:
  Reply(Type type, std::string text) : type_(type), text_(std::move(text)) {}
  [[noreturn]] void throw_wrong_type(const char* wanted) const;

  Type type_ = Type::kNil;
  std::int64_t integer_ = 0;
  std::string text_;  // status text, error message or bulk bytes
  std::vector<Reply> elements_;
};

/// The name of a reply type ("nil", "status", ...), for messages.
std::string_view to_string(Reply::Type type);

}  // namespace seckill::redis
