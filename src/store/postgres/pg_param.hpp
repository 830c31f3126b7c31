#pragma once
// Values bound to `$1, $2, ...` of a statement. Every value travels as a parameter in text
// format, never spliced into SQL, so request data cannot change what a statement does.

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/rfc3339.hpp"

namespace seckill::store::postgres {

/// One parameter: its text form, or SQL NULL.
class PgParam {
 public:
  PgParam(std::nullopt_t) {}  // NOLINT(google-explicit-constructor): reads like SQL NULL
  PgParam(bool v) : text_(v ? "t" : "f") {}  // NOLINT(google-explicit-constructor)
  template <std::integral T>
  requires(!std::same_as<T, bool>) PgParam(T v)
      : text_(std::to_string(v)) {}                       // NOLINT(google-explicit-constructor)
  PgParam(std::string v) : text_(std::move(v)) {}         // NOLINT(google-explicit-constructor)
  PgParam(std::string_view v) : text_(std::string(v)) {}  // NOLINT(google-explicit-constructor)
  PgParam(const char* v) : text_(std::string(v)) {}       // NOLINT(google-explicit-constructor)
  PgParam(SysTime t);                                     // NOLINT(google-explicit-constructor)
  template <typename T>
  PgParam(const std::optional<T>& v) {  // NOLINT(google-explicit-constructor)
    if (v) *this = PgParam(*v);
  }

  /// The text handed to libpq, or nullptr for NULL. Valid while this object lives.
  const char* c_str() const { return text_ ? text_->c_str() : nullptr; }

 private:
  std::optional<std::string> text_;
};

/// Builds the text form of a one-dimensional array parameter (`$1::bigint[]`), so a batch of
/// rows goes to the server as a few arrays that `unnest` turns back into rows.
class PgArrayBuilder {
 public:
  PgArrayBuilder() { text_.push_back('{'); }
  void reserve(std::size_t elements, std::size_t bytes_each = 12) {
    text_.reserve(2 + elements * bytes_each);
  }

  void add(std::int64_t v);
  /// Ids are unsigned in C++ and `bigint` in the store; bit 63 is never set (the id layout).
  void add(std::uint64_t v) { add(static_cast<std::int64_t>(v)); }
  void add(SysTime t);
  /// A text element, quoted and escaped, so any content is safe.
  void add_text(std::string_view v);

  /// The finished literal, e.g. "{1,2,3}". The builder is spent afterwards.
  std::string finish() &&;

 private:
  void separate();
  std::string text_;
  bool empty_ = true;
};

}  // namespace seckill::store::postgres
