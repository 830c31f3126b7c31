#include "redis/command_args.hpp"

#include <array>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace seckill::redis {
namespace {

std::vector<std::string> strings(const CommandArgs& args) {
  std::vector<std::string> out;
  for (auto a : args.view())
    out.emplace_back(a);
  return out;
}

TEST(CommandArgs, FromABracedListOfStringLikeValues) {
  const std::string key = "k";
  const std::string_view view = "v";
  CommandArgs args{"SET", key, view};
  EXPECT_EQ(strings(args), (std::vector<std::string>{"SET", "k", "v"}));
  CommandArgs copy = args;  // inline storage: the copy must view its own array
  EXPECT_EQ(copy.view().data(), copy.view().data());
  EXPECT_NE(copy.view().data(), args.view().data());
  EXPECT_EQ(strings(copy), strings(args));
  EXPECT_TRUE(CommandArgs{}.empty());
}

TEST(CommandArgs, FromContiguousRanges) {
  const std::array<std::string_view, 2> array{"GET", "k"};
  const std::vector<std::string_view> vector{"DEL", "a", "b"};
  EXPECT_EQ(strings(array), (std::vector<std::string>{"GET", "k"}));
  EXPECT_EQ(strings(vector), (std::vector<std::string>{"DEL", "a", "b"}));
  EXPECT_EQ(strings(std::span<const std::string_view>(vector)), strings(vector));
  CommandArgs referenced = vector;
  EXPECT_EQ(referenced.view().data(), vector.data());
}

}  // namespace
}  // namespace seckill::redis
