#include "auth/token_claims.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "auth/role.hpp"

namespace seckill::auth {
namespace {

constexpr std::string_view kBadSub = "token sub must be a positive 64-bit integer";
constexpr std::string_view kBadRole = "token role must be user, staff or admin";

std::expected<std::uint64_t, std::string> parse_sub_text(std::string_view text) {
  std::uint64_t value = 0;
  // from_chars takes no sign, so "-1" and "+1" are refused along with "", "1.0" and "1e3".
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value == 0) {
    return std::unexpected(std::string(kBadSub));
  }
  return value;
}

constexpr std::string_view kTooLong = "token lives longer than the server allows";
constexpr std::string_view kBadJti = "token jti claim must be a string of at most 64 bytes";

bool set_jti(Claims& claims, std::string_view jti) {
  if (jti.size() > Claims::kMaxJtiBytes) return false;
  std::copy(jti.begin(), jti.end(), claims.jti_bytes.begin());
  claims.jti_size = static_cast<std::uint8_t>(jti.size());
  return true;
}

double unix_seconds(std::chrono::system_clock::time_point now) {
  return std::chrono::duration<double>(now.time_since_epoch()).count();
}

// Every comparison is between finite doubles (JSON numbers that are not finite are refused
// before): exp = 1e300 or 1e19 is merely far, never an overflow.
std::expected<void, std::string> check_lifetime(const Claims& c, double now_s,
                                                const ClaimRules& rules) {
  if (auto times = check_times(c, now_s, rules); !times) return times;
  const double born_s = c.iat_s ? *c.iat_s : now_s;
  if (c.exp_s - born_s > static_cast<double>(rules.max_ttl.count())) {
    return std::unexpected(std::string(kTooLong));
  }
  return {};
}

// --- the scanner for the simple shape ---

struct FlatValue {
  bool is_string = false;
  std::int64_t integer = 0;  // when !is_string
  std::string_view text;     // when is_string
};

struct FlatClaims {
  std::optional<FlatValue> sub, exp, role, nbf, iat, jti;
};

// A string of printable ASCII without escapes at s[i] == '"'; advances i past it.
std::optional<std::string_view> scan_string(std::string_view s, std::size_t& i) {
  if (i >= s.size() || s[i] != '"') return std::nullopt;
  const std::size_t start = i + 1;
  for (std::size_t j = start; j < s.size(); ++j) {
    const char c = s[j];
    if (c == '"') {
      i = j + 1;
      return s.substr(start, j - start);
    }
    if (c < 0x20 || c > 0x7e || c == '\\') return std::nullopt;
  }
  return std::nullopt;
}

// A non-negative integer of at most 18 digits (so it fits int64), without leading zeros.
std::optional<std::int64_t> scan_integer(std::string_view s, std::size_t& i) {
  const std::size_t start = i;
  std::int64_t value = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    // A 19th digit is refused before it is multiplied in (it could overflow int64).
    if (i - start == 18) return std::nullopt;
    value = value * 10 + (s[i] - '0');
    ++i;
  }
  const std::size_t digits = i - start;
  if (digits == 0 || (digits > 1 && s[start] == '0')) return std::nullopt;
  return value;
}

// The claims of a payload of the simple shape, or nullopt for anything else (which the general
// parser then reads): a wrong guess here can only cost time, never change an answer.
std::optional<FlatClaims> scan_flat(std::string_view s) {
  if (s.size() < 2 || s.front() != '{') return std::nullopt;
  FlatClaims claims;
  std::size_t i = 1;
  if (s[i] == '}') return s.size() == 2 ? std::optional(claims) : std::nullopt;
  for (;;) {
    auto key = scan_string(s, i);
    if (!key || i >= s.size() || s[i] != ':') return std::nullopt;
    ++i;
    FlatValue value;
    if (i < s.size() && s[i] == '"') {
      auto text = scan_string(s, i);
      if (!text) return std::nullopt;
      value.is_string = true;
      value.text = *text;
    } else {
      auto number = scan_integer(s, i);
      if (!number) return std::nullopt;
      value.integer = *number;
    }
    std::optional<FlatValue>* slot = *key == "sub"    ? &claims.sub
                                     : *key == "exp"  ? &claims.exp
                                     : *key == "role" ? &claims.role
                                     : *key == "nbf"  ? &claims.nbf
                                     : *key == "iat"  ? &claims.iat
                                     : *key == "jti"  ? &claims.jti
                                                      : nullptr;
    if (slot != nullptr) {
      if (slot->has_value()) return std::nullopt;  // repeated: the general parser decides
      *slot = value;
    }
    if (i >= s.size()) return std::nullopt;
    if (s[i] == ',') {
      ++i;
      continue;
    }
    if (s[i] == '}' && i + 1 == s.size()) return claims;
    return std::nullopt;
  }
}

std::expected<Claims, std::string> check_flat(const FlatClaims& c,
                                              std::chrono::system_clock::time_point now,
                                              const ClaimRules& rules) {
  if (!c.exp) return std::unexpected("token has no exp claim");
  if (c.exp->is_string) return std::unexpected("token exp claim must be a number");
  Claims claims;
  claims.exp_s = static_cast<double>(c.exp->integer);
  if (c.nbf) {
    if (c.nbf->is_string) return std::unexpected("token nbf claim must be a number");
    claims.nbf_s = static_cast<double>(c.nbf->integer);
  }
  if (c.iat) {
    if (c.iat->is_string) return std::unexpected("token iat claim must be a number");
    claims.iat_s = static_cast<double>(c.iat->integer);
  }
  if (auto fresh = check_lifetime(claims, unix_seconds(now), rules); !fresh) {
    return std::unexpected(std::move(fresh.error()));
  }
  if (!c.sub) return std::unexpected("token has no sub claim");
  std::uint64_t user_id = 0;
  if (c.sub->is_string) {
    auto parsed = parse_sub_text(c.sub->text);
    if (!parsed) return std::unexpected(std::move(parsed.error()));
    user_id = *parsed;
  } else {
    if (c.sub->integer <= 0) return std::unexpected(std::string(kBadSub));
    user_id = static_cast<std::uint64_t>(c.sub->integer);
  }
  Role role = Role::user;
  if (c.role) {
    std::optional<Role> parsed;
    if (c.role->is_string) parsed = parse_role(c.role->text);
    if (!parsed) return std::unexpected(std::string(kBadRole));
    role = *parsed;
  }
  if (c.jti && (!c.jti->is_string || !set_jti(claims, c.jti->text))) {
    return std::unexpected(std::string(kBadJti));
  }
  claims.principal = Principal{user_id, role};
  return claims;
}

// --- the general path ---

std::expected<std::uint64_t, std::string> parse_sub(const boost::json::value& sub) {
  if (sub.is_int64()) {
    if (sub.get_int64() <= 0) return std::unexpected(std::string(kBadSub));
    return static_cast<std::uint64_t>(sub.get_int64());
  }
  if (sub.is_uint64()) {
    if (sub.get_uint64() == 0) return std::unexpected(std::string(kBadSub));
    return sub.get_uint64();
  }
  if (sub.is_string()) return parse_sub_text(sub.get_string());
  // Doubles included: above 2^64 Boost.JSON gives one, and 1.5 is no user id.
  return std::unexpected(std::string(kBadSub));
}

// A time claim as a finite double, or nullopt if it is no number (or not a finite one).
std::optional<double> time_of(const boost::json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double() && std::isfinite(v.get_double())) return v.get_double();
  return std::nullopt;
}

}  // namespace

std::expected<void, std::string> check_times(const Claims& claims, double now_s,
                                             const ClaimRules& rules) {
  if (now_s >= claims.exp_s) return std::unexpected("token has expired");
  if (now_s < claims.nbf_s) return std::unexpected("token is not valid yet (nbf)");
  if (claims.iat_s && *claims.iat_s > now_s + static_cast<double>(rules.iat_leeway.count())) {
    return std::unexpected("token was issued in the future (iat)");
  }
  return {};
}

std::expected<Claims, std::string> read_claims(std::string_view payload,
                                               std::chrono::system_clock::time_point now,
                                               const ClaimRules& rules) {
  if (auto flat = scan_flat(payload)) return check_flat(*flat, now, rules);
  return read_claims_generic(payload, now, rules);
}

std::expected<Claims, std::string> read_claims_generic(std::string_view payload,
                                                       std::chrono::system_clock::time_point now,
                                                       const ClaimRules& rules) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(payload, ec);
  if (ec || !value.is_object()) return std::unexpected("token payload is not a JSON object");
  const auto& object = value.get_object();

  const auto* exp = object.if_contains("exp");
  if (exp == nullptr) return std::unexpected("token has no exp claim");
  Claims claims;
  auto exp_s = time_of(*exp);
  if (!exp_s) return std::unexpected("token exp claim must be a number");
  claims.exp_s = *exp_s;
  if (const auto* nbf = object.if_contains("nbf"); nbf != nullptr) {
    auto nbf_s = time_of(*nbf);
    if (!nbf_s) return std::unexpected("token nbf claim must be a number");
    claims.nbf_s = *nbf_s;
  }
  if (const auto* iat = object.if_contains("iat"); iat != nullptr) {
    claims.iat_s = time_of(*iat);
    if (!claims.iat_s) return std::unexpected("token iat claim must be a number");
  }
  if (auto fresh = check_lifetime(claims, unix_seconds(now), rules); !fresh) {
    return std::unexpected(std::move(fresh.error()));
  }

  const auto* sub = object.if_contains("sub");
  if (sub == nullptr) return std::unexpected("token has no sub claim");
  auto user_id = parse_sub(*sub);
  if (!user_id) return std::unexpected(std::move(user_id.error()));

  Role role = Role::user;
  if (const auto* r = object.if_contains("role"); r != nullptr) {
    std::optional<Role> parsed;
    if (r->is_string()) parsed = parse_role(r->get_string());
    if (!parsed) return std::unexpected(std::string(kBadRole));
    role = *parsed;
  }
  if (const auto* jti = object.if_contains("jti"); jti != nullptr) {
    if (!jti->is_string() || !set_jti(claims, jti->get_string())) {
      return std::unexpected(std::string(kBadJti));
    }
  }
  claims.principal = Principal{*user_id, role};
  return claims;
}

}  // namespace seckill::auth
