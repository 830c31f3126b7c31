#pragma once
// What the load generator sends. Each request has a sequence number (0, 1, 2, ... across every
// connection); a scenario turns it into a user and a request, so "every request a new user" and
// "M distinct users, each once" need no coordination beyond one counter.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace seckill::loadgen {

enum class Scenario {
  healthz,        ///< GET /healthz: the HTTP ceiling, no token
  sale,           ///< each of --users distinct users buys once from a voucher of --stock
  soldout,        ///< a new user per request on a voucher that has already sold out
  remind_new,     ///< a new user per request reminding one ticket
  remind_repeat,  ///< one user reminding one ticket again and again (already_reminded)
  mixed,          ///< 7 in 10 purchases by new users, 2 new reminders, 1 GET of the voucher
};

/// "healthz", "sale", "soldout", "remind" (= "remind-new"), "remind-new", "remind-repeat",
/// "mixed"; nullopt for anything else.
std::optional<Scenario> parse_scenario(std::string_view name);
std::string_view to_string(Scenario scenario);

/// Whether the scenario needs a voucher made for it (an admin token, so --jwt-secret).
bool needs_voucher(Scenario scenario);
/// Whether requests carry a user's bearer token (so --jwt-secret).
bool needs_tokens(Scenario scenario);

/// What one request is: which user sends it (0: none) and what it asks.
enum class RequestKind { healthz, purchase, remind, get_voucher };

struct PlannedRequest {
  RequestKind kind = RequestKind::healthz;
  std::uint64_t user = 0;
};

/// Maps sequence numbers to requests for one run.
class RequestPlan {
 public:
  /// `users`: how many distinct users a scenario with a new user per request uses (each exactly
  /// once; the run ends after the last); 0 means unbounded. `first_user` is the first user id.
  RequestPlan(Scenario scenario, std::uint64_t first_user, std::uint64_t users);

  /// The request numbered `seq`, or nullopt once the scenario has no more to send.
  std::optional<PlannedRequest> at(std::uint64_t seq) const;

  /// Users the run will use at most for `requests` requests (tokens to mint ahead).
  std::uint64_t users_for(std::uint64_t requests) const;

  Scenario scenario() const { return scenario_; }
  std::uint64_t first_user() const { return first_user_; }

 private:
  Scenario scenario_;
  std::uint64_t first_user_;
  std::uint64_t users_;
};

/// The request's bytes, appended to `out` (HTTP/1.1, keep-alive, empty body). `voucher` and
/// `ticket` are the scenario's targets; `token` is empty for requests without one.
void append_request(std::string& out, RequestKind kind, std::string_view host,
                    std::string_view voucher, std::string_view ticket, std::string_view token);

}  // namespace seckill::loadgen
