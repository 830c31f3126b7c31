#include "api/event_stream_caps.hpp"

#include <string_view>

#include <fmt/format.h>

namespace seckill::api {

namespace {

Failure refusal(const char* who, std::size_t cap) {
  return Failure{ErrorCode::rate_limited,
                 fmt::format("too many event streams open for {} (at most {} at once); close "
                             "one or retry in {} s",
                             who, cap, EventStreamCaps::kRetryS),
                 EventStreamCaps::kRetryS};
}

}  // namespace

std::size_t EventStreamCaps::KeyHash::operator()(const http::ClientKey& key) const noexcept {
  const auto& b = key.bytes();
  return std::hash<std::string_view>{}(
      std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

std::expected<std::shared_ptr<EventStreamCaps::Slot>, Failure> EventStreamCaps::open(
    std::uint64_t user, const boost::asio::ip::address& client) {
  std::optional<http::ClientKey> key;
  if (!client.is_unspecified()) key = http::ClientKey::of(client);
  {
    std::lock_guard lock(mutex_);
    auto& by_user = per_user_[user];
    if (by_user >= limits_.per_user) {
      if (by_user == 0) per_user_.erase(user);
      return std::unexpected(refusal("this user", limits_.per_user));
    }
    if (key) {
      auto& by_client = per_client_[*key];
      if (by_client >= limits_.per_address) {
        if (by_client == 0) per_client_.erase(*key);
        if (by_user == 0) per_user_.erase(user);
        return std::unexpected(refusal("this address", limits_.per_address));
      }
      ++by_client;
    }
    ++by_user;
  }
  return std::make_shared<Slot>(shared_from_this(), user, key);
}

void EventStreamCaps::release(std::uint64_t user, const std::optional<http::ClientKey>& client) {
  std::lock_guard lock(mutex_);
  if (auto it = per_user_.find(user); it != per_user_.end() && --it->second == 0) {
    per_user_.erase(it);
  }
  if (!client) return;
  if (auto it = per_client_.find(*client); it != per_client_.end() && --it->second == 0) {
    per_client_.erase(it);
  }
}

}  // namespace seckill::api
