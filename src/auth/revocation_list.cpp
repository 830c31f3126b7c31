#include "auth/revocation_list.hpp"

#include <algorithm>
#include <mutex>

namespace seckill::auth {

bool RevocationList::revoked(std::string_view jti, std::uint64_t user_id,
                             std::optional<double> iat_s) const {
  if (empty_.load(std::memory_order_acquire)) return false;
  std::shared_lock lock(mutex_);
  if (!jti.empty() && tokens_.find(jti) != tokens_.end()) return true;
  auto user = users_.find(user_id);
  return user != users_.end() && (!iat_s || *iat_s < user->second.revoked_at_s);
}

void RevocationList::add_locked(const Revocation& r) {
  Entry entry{r.revoked_at_s, r.expires_at_s};
  auto keep_latest = [&entry](Entry& old) {
    old.revoked_at_s = std::max(old.revoked_at_s, entry.revoked_at_s);
    old.expires_at_s = std::max(old.expires_at_s, entry.expires_at_s);
  };
  if (!r.jti.empty()) {
    auto [it, added] = tokens_.try_emplace(r.jti, entry);
    if (!added) keep_latest(it->second);
  } else if (r.user_id != 0) {
    auto [it, added] = users_.try_emplace(r.user_id, entry);
    if (!added) keep_latest(it->second);
  }
}

void RevocationList::add(const Revocation& revocation) {
  std::unique_lock lock(mutex_);
  add_locked(revocation);
  empty_.store(tokens_.empty() && users_.empty(), std::memory_order_release);
}

void RevocationList::replace(const std::vector<Revocation>& all) {
  std::unique_lock lock(mutex_);
  tokens_.clear();
  users_.clear();
  for (const auto& r : all)
    add_locked(r);
  empty_.store(tokens_.empty() && users_.empty(), std::memory_order_release);
}

std::vector<Revocation> RevocationList::entries(double now_s) const {
  std::shared_lock lock(mutex_);
  std::vector<Revocation> out;
  out.reserve(tokens_.size() + users_.size());
  for (const auto& [jti, e] : tokens_) {
    if (e.expires_at_s > now_s) out.push_back(Revocation{jti, 0, e.revoked_at_s, e.expires_at_s});
  }
  for (const auto& [user, e] : users_) {
    if (e.expires_at_s > now_s) out.push_back(Revocation{{}, user, e.revoked_at_s, e.expires_at_s});
  }
  return out;
}

void RevocationList::forget_expired(double now_s) {
  std::unique_lock lock(mutex_);
  std::erase_if(tokens_, [now_s](const auto& kv) { return kv.second.expires_at_s <= now_s; });
  std::erase_if(users_, [now_s](const auto& kv) { return kv.second.expires_at_s <= now_s; });
  empty_.store(tokens_.empty() && users_.empty(), std::memory_order_release);
}

std::size_t RevocationList::size() const {
  std::shared_lock lock(mutex_);
  return tokens_.size() + users_.size();
}

}  // namespace seckill::auth
