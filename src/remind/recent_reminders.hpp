#pragma once
// What this instance already knows about users who reminded a ticket too recently: the
// coordinator told it `already_reminded` with the time left, so until that time runs out the same
// answer can be given without asking again. Like the sale's local sold-out flag, it takes the
// repeated, hopeless requests (a user pressing the button again and again) off the coordinator.
//
// Never wrong in the other direction: an entry lasts at most as long as the time the coordinator
// gave, counted from before the question was asked, so it ends no later than the real window.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace seckill::remind {

class RecentReminders {
 public:
  /// The service's clock (system time), so tests that move it see the windows move too.
  using Time = std::chrono::system_clock::time_point;

  /// At most `capacity` entries; when full, expired ones are dropped, then all.
  explicit RecentReminders(std::size_t capacity = 100'000) : capacity_(capacity) {}

  struct Known {
    std::chrono::milliseconds left;
    /// The record the user's reminder is in, as the coordinator said (0: it did not say).
    std::uint64_t reminder_id = 0;
  };

  /// Time left of `user`'s window on `ticket` as known here, or nullopt if nothing is known.
  std::optional<std::chrono::milliseconds> time_left(std::string_view ticket, std::uint64_t user,
                                                     Time now);
  /// The same, with the record the user's reminder is in.
  std::optional<Known> known(std::string_view ticket, std::uint64_t user, Time now);

  /// The coordinator answered already_reminded with `retry_after` left, to a question asked at
  /// `asked_at`, the user's reminder being in `reminder_id`. Thread-safe, like time_left.
  void remember(std::string_view ticket, std::uint64_t user, Time asked_at,
                std::chrono::milliseconds retry_after, std::uint64_t reminder_id = 0);

 private:
  struct Entry {
    Time until;
    std::uint64_t reminder_id = 0;
  };
  static std::string key_of(std::string_view ticket, std::uint64_t user);

  std::mutex mutex_;
  std::unordered_map<std::string, Entry> until_;
  std::size_t capacity_;
};

}  // namespace seckill::remind
