#include "redis/command_encoder.hpp"

#include <charconv>
#include <cstring>

namespace seckill::redis {
namespace {

std::size_t digits(std::size_t n) {
  std::size_t d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

char* put_header(char* p, char kind, std::size_t n) {
  *p++ = kind;
  p = std::to_chars(p, p + 20, n).ptr;
  *p++ = '\r';
  *p++ = '\n';
  return p;
}

}  // namespace

std::size_t encoded_size(std::span<const std::string_view> args) {
  std::size_t size = 3 + digits(args.size());
  for (auto a : args)
    size += 3 + digits(a.size()) + a.size() + 2;
  return size;
}

void append_command(std::string& out, std::span<const std::string_view> args) {
  const std::size_t old = out.size();
  const std::size_t add = encoded_size(args);
  // One resize, then plain stores (resize_and_overwrite would skip the zero-filling, but GCC
  // 12's libstdc++ gets its size wrong when the string already has content).
  out.resize(old + add);
  char* p = put_header(out.data() + old, '*', args.size());
  for (auto a : args) {
    p = put_header(p, '$', a.size());
    if (!a.empty()) std::memcpy(p, a.data(), a.size());
    p += a.size();
    *p++ = '\r';
    *p++ = '\n';
  }
}

std::string encode_command(std::span<const std::string_view> args) {
  std::string out;
  append_command(out, args);
  return out;
}

}  // namespace seckill::redis
