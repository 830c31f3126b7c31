#include "coordinator/redis/redis_revocations.hpp"

#include <charconv>
#include <cmath>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/infra_error.hpp"

namespace seckill::coordinator::redis {

namespace asio = boost::asio;

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string member_of(const auth::Revocation& r) {
  const auto at_ms = static_cast<std::int64_t>(std::llround(r.revoked_at_s * 1000));
  if (!r.jti.empty()) return fmt::format("j:{}:{}", at_ms, r.jti);
  return fmt::format("u:{}:{}", at_ms, r.user_id);
}

template <typename T>
std::optional<T> number_of(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

/// nullopt for a member this version does not know (left alone).
std::optional<auth::Revocation> revocation_of(std::string_view member, std::string_view score) {
  if (member.size() < 4 || member[1] != ':') return std::nullopt;
  const auto colon = member.find(':', 2);
  if (colon == std::string_view::npos) return std::nullopt;
  auto at_ms = number_of<std::int64_t>(member.substr(2, colon - 2));
  auto expires = number_of<double>(score);
  if (!at_ms || !expires) return std::nullopt;
  auth::Revocation r;
  r.revoked_at_s = static_cast<double>(*at_ms) / 1000;
  r.expires_at_s = *expires;
  const auto rest = member.substr(colon + 1);
  if (member[0] == 'j' && !rest.empty()) {
    r.jti = std::string(rest);
  } else if (member[0] == 'u') {
    auto user = number_of<std::uint64_t>(rest);
    if (!user || *user == 0) return std::nullopt;
    r.user_id = *user;
  } else {
    return std::nullopt;
  }
  return r;
}

}  // namespace

RedisRevocations::RedisRevocations(seckill::redis::Client& client, std::string key_prefix)
    : client_(client), list_key_(key_prefix + ":list"), version_key_(key_prefix + ":version") {}

asio::awaitable<void> RedisRevocations::add(auth::Revocation revocation) {
  const auto member = member_of(revocation);
  const auto score = fmt::format("{:.3f}", revocation.expires_at_s);
  (co_await client_.command({"ZADD", list_key_, score, member})).value();
  // Written after the entry, read before it (refresh): whoever sees this version sees the entry.
  (co_await client_.command({"INCR", version_key_})).as_integer();
  local_.add(revocation);
}

asio::awaitable<std::vector<auth::Revocation>> RedisRevocations::list() {
  const auto from = fmt::format("({:.3f}", now_s());
  auto reply = co_await client_.command({"ZRANGEBYSCORE", list_key_, from, "+inf", "WITHSCORES"});
  std::vector<auth::Revocation> out;
  const auto items = reply.elements();
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    if (auto r = revocation_of(items[i].as_string(), items[i + 1].as_string())) {
      out.push_back(std::move(*r));
    }
  }
  co_return out;
}

asio::awaitable<bool> RedisRevocations::refresh() {
  auto version_reply = co_await client_.command({"GET", version_key_});
  std::int64_t version = 0;
  if (!version_reply.is_nil()) {
    version = number_of<std::int64_t>(version_reply.as_string()).value_or(-1);
  }
  if (seen_version_ && *seen_version_ == version) {
    local_.forget_expired(now_s());
    co_return false;
  }
  const auto upto = fmt::format("{:.3f}", now_s());
  (co_await client_.command({"ZREMRANGEBYSCORE", list_key_, "-inf", upto})).value();
  auto all = co_await list();
  local_.replace(all);
  seen_version_ = version;
  co_return true;
}

asio::awaitable<void> RedisRevocations::run(std::chrono::milliseconds period) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  auto last_warning = std::chrono::steady_clock::time_point{};
  while (!stopping_) {
    try {
      co_await refresh();
    } catch (const InfraError& e) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_warning >= std::chrono::seconds(10)) {
        last_warning = now;
        spdlog::warn("revocations: cannot read the shared list ({}); kept the last copy", e.what());
      }
    }
    timer.expires_after(period);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace seckill::coordinator::redis
