#include "auth/base64url.hpp"

#include <cctype>
#include <string>

#include <gtest/gtest.h>

namespace seckill::auth {
namespace {

TEST(Base64Url, EncodesWithoutPadding) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode(std::string("\xfb\xff\xfe", 3)), "-__-");
  EXPECT_EQ(base64url_encode(R"({"alg":"HS256","typ":"JWT"})"),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
}

TEST(Base64Url, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    auto decoded = base64url_decode(base64url_encode(bytes));
    ASSERT_TRUE(decoded.has_value()) << i;
    EXPECT_EQ(*decoded, bytes);
    bytes.push_back(static_cast<char>(i * 37));
  }
}

TEST(Base64Url, RefusesWhatIsNotStrictBase64Url) {
  EXPECT_FALSE(base64url_decode("Zg==").has_value());    // padding
  EXPECT_FALSE(base64url_decode("Zm9v+/").has_value());  // standard alphabet
  EXPECT_FALSE(base64url_decode("Zm 9v").has_value());   // whitespace
  EXPECT_FALSE(base64url_decode("Z").has_value());       // impossible length
  EXPECT_FALSE(base64url_decode("Zh").has_value());      // non-zero unused bits
  EXPECT_TRUE(base64url_decode("Zg").has_value());
}

TEST(Base64Url, DecodesIntoABufferOnlyWhenItFits) {
  char buf[4];
  EXPECT_EQ(base64url_decode_to("Zm9vYg", buf), 4u);
  EXPECT_EQ(std::string_view(buf, 4), "foob");
  EXPECT_EQ(base64url_decode_to("Zm9vYmE", buf), std::nullopt);  // 5 bytes: too many
  EXPECT_EQ(base64url_decode_to("", buf), 0u);
  EXPECT_EQ(base64url_decode_to("Zh", buf), std::nullopt);
  EXPECT_EQ(base64url_decode_to("Zm9+", buf), std::nullopt);
  EXPECT_EQ(base64url_decoded_size("Zm9vYmE"), 5u);
  EXPECT_EQ(base64url_decoded_size("Zm9vY"), std::nullopt);
  // Every character outside the alphabet, in every position of a group.
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    const bool ok = std::isalnum(c) != 0 || ch == '-' || ch == '_';
    for (int at = 0; at < 4; ++at) {
      std::string text = "AAAA";
      text[static_cast<std::size_t>(at)] = ch;
      EXPECT_EQ(base64url_decode_to(text, buf).has_value(), ok) << c << " at " << at;
    }
  }
}

}  // namespace
}  // namespace seckill::auth
