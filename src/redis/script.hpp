#pragma once
// A Lua script that Redis runs. Scripts live in their own `.lua` files, embedded at build time
// with seckill_embed_text (cmake/EmbedText.cmake), and are run by their SHA1 (EVALSHA) so the
// source crosses the network only when Redis does not know it yet.

#include <string>
#include <string_view>

namespace seckill::redis {

/// A named Lua script and the SHA1 of its source. Immutable; safe to share between threads.
class Script {
 public:
  /// Computes the SHA1 of `source` (OpenSSL), as Redis does for SCRIPT LOAD.
  Script(std::string name, std::string source);

  const std::string& name() const { return name_; }
  const std::string& source() const { return source_; }
  /// 40 lower-case hex digits.
  const std::string& sha1() const { return sha1_; }

 private:
  std::string name_;
  std::string source_;
  std::string sha1_;
};

/// The SHA1 of `data` as 40 lower-case hex digits.
std::string sha1_hex(std::string_view data);

}  // namespace seckill::redis
