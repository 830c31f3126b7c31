#include "api/page_cursor.hpp"

#include <gtest/gtest.h>

#include "auth/base64url.hpp"

using seckill::api::CursorKind;
using seckill::api::format_page_cursor;
using seckill::api::parse_page_cursor;

TEST(PageCursor, RoundTripsAnIdOfItsOwnListingOnly) {
  const std::uint64_t id = 397742039221029362;
  auto vouchers = format_page_cursor(CursorKind::vouchers, id);
  auto orders = format_page_cursor(CursorKind::orders, id);
  EXPECT_NE(vouchers, orders);
  EXPECT_EQ(parse_page_cursor(CursorKind::vouchers, vouchers), id);
  EXPECT_EQ(parse_page_cursor(CursorKind::orders, orders), id);
  EXPECT_FALSE(parse_page_cursor(CursorKind::orders, vouchers)) << "another listing's cursor";
  EXPECT_FALSE(parse_page_cursor(CursorKind::vouchers, orders));
  EXPECT_EQ(vouchers.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos)
      << "URL-safe as it is: " << vouchers;
}

TEST(PageCursor, RefusesWhatThisApiNeverGave) {
  using seckill::auth::base64url_encode;
  for (const std::string& text :
       {std::string(""), std::string("not a cursor"), std::string("12345"), base64url_encode("v:"),
        base64url_encode("v:12x"), base64url_encode("v:-5"), base64url_encode("v: 5"),
        base64url_encode("x:5"),
        base64url_encode("v:9223372036854775808"),  // bit 63 set: never an id
        base64url_encode("v:99999999999999999999999")}) {
    EXPECT_FALSE(parse_page_cursor(CursorKind::vouchers, text)) << text;
  }
}
