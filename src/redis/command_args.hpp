#pragma once
// The arguments of one Redis command, as the callers write them: `{"INCRBY", key, "100"}`.

#include <array>
#include <concepts>
#include <cstddef>
#include <ranges>
#include <span>
#include <string_view>

namespace seckill::redis {

/// The arguments of one command, name first, as string_views (binary safe; nothing is copied).
/// Built from a braced list of up to `kInline` string-like values, kept inline, or from a
/// contiguous range of string_views of any length (span, vector, array), referenced.
///
/// Why a class and not std::initializer_list: GCC 12 cannot put the array behind an
/// initializer_list into a coroutine frame ("array used as initializer"), which is exactly where
/// `co_await c.command({"INCR", key})` puts it.
///
/// The values referenced must outlive the command's first suspension; temporaries of the
/// `co_await` expression (e.g. `std::to_string(n)` in the list) do.
class CommandArgs {
 public:
  static constexpr std::size_t kInline = 16;

  CommandArgs() = default;  ///< No arguments (e.g. the keys of a script that takes none).

  template <typename... T>
  requires(sizeof...(T) >= 1 && sizeof...(T) <= kInline &&
           (std::convertible_to<const T&, std::string_view> && ...))
      CommandArgs(
          const T&... args)  // NOLINT(google-explicit-constructor): braced lists are the API
      : inline_{std::string_view(args)...}, size_(sizeof...(T)) {}

  /// Any contiguous range of string_views: std::span, std::vector, std::array...
  template <std::ranges::contiguous_range R>
  requires std::same_as<std::ranges::range_value_t<R>, std::string_view> CommandArgs(
      const R& args)  // NOLINT(google-explicit-constructor)
      : external_(std::ranges::data(args)), size_(std::ranges::size(args)) {}

  std::span<const std::string_view> view() const {
    return {external_ != nullptr ? external_ : inline_.data(), size_};
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  std::array<std::string_view, kInline> inline_{};
  const std::string_view* external_ = nullptr;  // set when built from a span: copies stay valid
  std::size_t size_ = 0;
};

}  // namespace seckill::redis
