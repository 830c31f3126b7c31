#pragma once
// GET /healthz and GET /readyz (CONTRACT.md, "Operations").

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "http/router.hpp"

namespace seckill::http {

/// Whether one backend answers right now. Runs on the I/O thread of the request and must bound
/// its own time (a ping with a timeout): /readyz waits for it. Throwing counts as "down".
using ReadinessProbe = std::function<boost::asio::awaitable<bool>()>;

struct NamedProbe {
  std::string name;  ///< as it appears in the answer, e.g. "redis"
  ReadinessProbe probe;
};

/// A figure /readyz reports without it deciding readiness (e.g. the dead letters waiting: an
/// instance with dead letters serves as well as any other, so a balancer must not drop it; the
/// operator must see them). Called on the I/O thread of the request: must not block or wait
/// (read a count kept up to date in the background).
struct NamedReport {
  std::string name;  ///< the field of the answer, e.g. "dead_letters"
  std::function<boost::json::value()> report;
};

/// Adds, with Access::anyone:
///   GET /healthz  always 200 {"status":"ok"} (a precomputed answer: the server's fastest path);
///   GET /readyz   runs every probe in turn: 200 {"status":"ok","backends":{"redis":"ok"}} when
///                 all answer, else 503 {"status":"unavailable","backends":{"redis":"down",...}};
///                 each report adds its field ({"dead_letters":{"orders":0,"reminders":0}})
///                 whatever the status. While `*draining` (the process is shutting down:
///                 balancers should move away before its listener closes), 503
///                 {"status":"draining"} without probing.
/// `draining`, when given, outlives the router; it may be set from any thread.
/// Throws std::invalid_argument if the routes exist already.
void add_health_routes(Router& router, std::vector<NamedProbe> probes,
                       std::vector<NamedReport> reports = {},
                       const std::atomic<bool>* draining = nullptr);

}  // namespace seckill::http
