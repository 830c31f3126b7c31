#include "http/request_id.hpp"

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace seckill::http {
namespace {

TEST(RequestId, KeepsAValidClientId) {
  Request r;
  r.set(kRequestIdHeader, "abc-123_X.y");
  EXPECT_EQ(ensure_request_id(r), "abc-123_X.y");
}

TEST(RequestId, ReplacesAnInvalidOneAndSetsItOnTheRequest) {
  for (const std::string& bad :
       std::vector<std::string>{"", "has space", "quote\"", std::string(65, 'a'), "tab\tx"}) {
    Request r;
    r.set(kRequestIdHeader, bad);
    auto id = ensure_request_id(r);
    EXPECT_NE(id, bad);
    EXPECT_EQ(id.size(), 15u);
    EXPECT_TRUE(valid_request_id(id));
    EXPECT_EQ(r[kRequestIdHeader], id);
  }
}

TEST(RequestId, GeneratesDistinctIds) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    Request r;
    ids.insert(ensure_request_id(r));
  }
  EXPECT_EQ(ids.size(), 1000u);
}

}  // namespace
}  // namespace seckill::http
