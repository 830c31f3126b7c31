#include "loadgen/scenario.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace seckill::loadgen {
namespace {

constexpr std::array<std::pair<std::string_view, Scenario>, 7> kNames{{
    {"healthz", Scenario::healthz},
    {"sale", Scenario::sale},
    {"soldout", Scenario::soldout},
    {"remind", Scenario::remind_new},
    {"remind-new", Scenario::remind_new},
    {"remind-repeat", Scenario::remind_repeat},
    {"mixed", Scenario::mixed},
}};

}  // namespace

std::optional<Scenario> parse_scenario(std::string_view name) {
  for (const auto& [text, scenario] : kNames) {
    if (text == name) return scenario;
  }
  return std::nullopt;
}

std::string_view to_string(Scenario scenario) {
  switch (scenario) {
    case Scenario::healthz:
      return "healthz";
    case Scenario::sale:
      return "sale";
    case Scenario::soldout:
      return "soldout";
    case Scenario::remind_new:
      return "remind-new";
    case Scenario::remind_repeat:
      return "remind-repeat";
    case Scenario::mixed:
      return "mixed";
  }
  return "?";
}

bool needs_voucher(Scenario scenario) {
  return scenario == Scenario::sale || scenario == Scenario::soldout || scenario == Scenario::mixed;
}

bool needs_tokens(Scenario scenario) {
  return scenario != Scenario::healthz;
}

RequestPlan::RequestPlan(Scenario scenario, std::uint64_t first_user, std::uint64_t users)
    : scenario_(scenario), first_user_(first_user), users_(users) {}

std::optional<PlannedRequest> RequestPlan::at(std::uint64_t seq) const {
  const bool distinct_users =
      scenario_ != Scenario::healthz && scenario_ != Scenario::remind_repeat;
  if (distinct_users && users_ != 0 && seq >= users_) return std::nullopt;
  switch (scenario_) {
    case Scenario::healthz:
      return PlannedRequest{RequestKind::healthz, 0};
    case Scenario::sale:
      return PlannedRequest{RequestKind::purchase, first_user_ + seq};
    case Scenario::soldout:
      return PlannedRequest{RequestKind::purchase, first_user_ + seq};
    case Scenario::remind_new:
      return PlannedRequest{RequestKind::remind, first_user_ + seq};
    case Scenario::remind_repeat:
      return PlannedRequest{RequestKind::remind, first_user_};
    case Scenario::mixed: {
      const auto slot = seq % 10;
      if (slot < 7) return PlannedRequest{RequestKind::purchase, first_user_ + seq};
      if (slot < 9) return PlannedRequest{RequestKind::remind, first_user_ + seq};
      return PlannedRequest{RequestKind::get_voucher, first_user_ + seq};
    }
  }
  return std::nullopt;
}

std::uint64_t RequestPlan::users_for(std::uint64_t requests) const {
  switch (scenario_) {
    case Scenario::healthz:
      return 0;
    case Scenario::remind_repeat:
      return 1;
    default:
      return users_ != 0 ? std::min(users_, requests) : requests;
  }
}

void append_request(std::string& out, RequestKind kind, std::string_view host,
                    std::string_view voucher, std::string_view ticket, std::string_view token) {
  switch (kind) {
    case RequestKind::healthz:
      out += "GET /healthz";
      break;
    case RequestKind::purchase:
      out += "POST /api/v1/vouchers/";
      out += voucher;
      out += "/orders";
      break;
    case RequestKind::remind:
      out += "POST /api/v1/tickets/";
      out += ticket;
      out += "/reminders";
      break;
    case RequestKind::get_voucher:
      out += "GET /api/v1/vouchers/";
      out += voucher;
      break;
  }
  out += " HTTP/1.1\r\nHost: ";
  out += host;
  if (!token.empty()) {
    out += "\r\nAuthorization: Bearer ";
    out += token;
  }
  if (kind == RequestKind::purchase || kind == RequestKind::remind) out += "\r\nContent-Length: 0";
  out += "\r\n\r\n";
}

}  // namespace seckill::loadgen
