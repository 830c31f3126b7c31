#include "http/json_text.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>

namespace seckill::http {
namespace {

std::string ours(std::string_view text) {
  std::string out = "x";  // appends, never overwrites
  append_json_string(out, text);
  return out.substr(1);
}

std::string boost_json(std::string_view text) {
  return boost::json::serialize(boost::json::value(boost::json::string(text)));
}

TEST(JsonText, StringsAsBoostJsonWritesThem) {
  for (int c = 0; c < 256; ++c) {
    const std::string one(1, static_cast<char>(c));
    EXPECT_EQ(ours(one), boost_json(one)) << c;
    const std::string framed = "a" + one + "b" + one;
    EXPECT_EQ(ours(framed), boost_json(framed)) << c;
  }
  for (std::string_view text :
       {"", "sold_out", "this voucher is sold out", "a \"quoted\"\nline",
        "path parameter 'id' must be a positive integer", "\\\\", "é ü 中", "tab\there", "\x7f"}) {
    EXPECT_EQ(ours(text), boost_json(text)) << text;
  }
}

TEST(JsonText, IntegersAsBoostJsonWritesThem) {
  for (std::int64_t v : std::vector<std::int64_t>{0, 1, -1, 900, INT64_MAX, INT64_MIN}) {
    std::string out;
    append_json_integer(out, v);
    EXPECT_EQ(out, boost::json::serialize(boost::json::value(v))) << v;
  }
}

}  // namespace
}  // namespace seckill::http
