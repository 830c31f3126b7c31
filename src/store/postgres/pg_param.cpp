#include "store/postgres/pg_param.hpp"

#include <charconv>

#include "store/postgres/pg_time.hpp"

namespace seckill::store::postgres {

PgParam::PgParam(SysTime t) : text_(format_pg_time(t)) {}

void PgArrayBuilder::separate() {
  if (!empty_) text_.push_back(',');
  empty_ = false;
}

void PgArrayBuilder::add(std::int64_t v) {
  separate();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  text_.append(buf, end);
}

void PgArrayBuilder::add(SysTime t) {
  // Quoted: the literal contains a space and a '+'.
  separate();
  text_.push_back('"');
  text_ += format_pg_time(t);
  text_.push_back('"');
}

void PgArrayBuilder::add_text(std::string_view v) {
  separate();
  text_.push_back('"');
  for (char c : v) {
    if (c == '"' || c == '\\') text_.push_back('\\');
    text_.push_back(c);
  }
  text_.push_back('"');
}

std::string PgArrayBuilder::finish() && {
  text_.push_back('}');
  return std::move(text_);
}

}  // namespace seckill::store::postgres
