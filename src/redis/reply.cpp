#include "redis/reply.hpp"

#include <fmt/format.h>

#include "core/infra_error.hpp"

namespace seckill::redis {

Reply Reply::integer(std::int64_t value) {
  Reply r;
  r.type_ = Type::kInteger;
  r.integer_ = value;
  return r;
}

Reply Reply::array(std::vector<Reply> elements) {
  Reply r;
  r.type_ = Type::kArray;
  r.elements_ = std::move(elements);
  return r;
}

std::int64_t Reply::as_integer() const {
  if (type_ != Type::kInteger) throw_wrong_type("integer");
  return integer_;
}

std::string_view Reply::as_string() const {
  if (type_ != Type::kString && type_ != Type::kStatus) throw_wrong_type("string");
  return text_;
}

std::span<const Reply> Reply::elements() const {
  if (type_ != Type::kArray) throw_wrong_type("array");
  return elements_;
}

const Reply& Reply::value() const {
  if (is_error()) throw ReplyError("redis: " + text_);
  return *this;
}

void Reply::throw_wrong_type(const char* wanted) const {
  if (is_error()) throw ReplyError("redis: " + text_);
  throw ProtocolError(fmt::format("redis: expected {} reply, got {}", wanted, to_string(type_)));
}

std::string Reply::to_debug_string() const {
  switch (type_) {
    case Type::kNil:
      return "nil";
    case Type::kStatus:
      return text_;
    case Type::kError:
      return "(error) " + text_;
    case Type::kInteger:
      return std::to_string(integer_);
    case Type::kString:
      return fmt::format("\"{}\"", text_);
    case Type::kArray: {
      std::string out = "[";
      for (std::size_t i = 0; i < elements_.size(); ++i) {
        if (i != 0) out += ", ";
        out += elements_[i].to_debug_string();
      }
      return out + "]";
    }
  }
  return "?";
}

std::string_view to_string(Reply::Type type) {
  switch (type) {
    case Reply::Type::kNil:
      return "nil";
    case Reply::Type::kStatus:
      return "status";
    case Reply::Type::kError:
      return "error";
    case Reply::Type::kInteger:
      return "integer";
    case Reply::Type::kString:
      return "string";
    case Reply::Type::kArray:
      return "array";
  }
  return "?";
}

}  // namespace seckill::redis
