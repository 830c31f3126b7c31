// Rolling restarts without dropping a request (docs/operations.md): on SIGTERM a `seckill serve`
// answers /readyz 503 for --drain-delay while it still serves requests (each answer closing its
// connection), only then closes its listener, and answers every request it accepted.
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <mutex>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "system/raw_exchange.hpp"
#include "system/seckill_cluster.hpp"

using namespace seckill::testing;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

enum class Outcome { answered, refused, dropped };

struct Exchange {
  Clock::time_point at;  ///< when the connection was attempted
  Outcome outcome = Outcome::dropped;
  int status = 0;
};

/// One request on a new connection (Connection: close): `refused` if the connection was refused
/// (the listener is closed), `dropped` if it was accepted and no whole status line came back.
Exchange exchange(unsigned short port, const std::string& target, const std::string& headers) {
  Exchange e{Clock::now()};
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return e;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    e.outcome = errno == ECONNREFUSED ? Outcome::refused : Outcome::dropped;
    ::close(fd);
    return e;
  }
  const std::string request =
      "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "Connection: close\r\n\r\n";
  std::string text;
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
      static_cast<ssize_t>(request.size())) {
    const auto deadline = Clock::now() + 5s;
    while (Clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  if (text.size() >= 12 && text.starts_with("HTTP/1.1 ")) {
    e.outcome = Outcome::answered;
    e.status = std::stoi(text.substr(9, 3));
  }
  return e;
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

TEST(Drain, ReadinessTurns503BeforeTheListenerClosesAndNoAcceptedRequestFails) {
  constexpr auto kDrainDelay = 1500ms;
  // How long the "balancer" below keeps sending after it has seen /readyz turn 503: its probe
  // interval times its fall count, well inside the drain delay.
  constexpr auto kBalancerReaction = 500ms;
  SeckillCluster cluster(1, {"--drain-delay", "1500ms"});
  const unsigned short port = cluster.port(0);
  auto admin = cluster.client(0);
  const std::string voucher = create_voucher(admin, 10);
  const std::string auth = "Authorization: Bearer " + token_for(7) + "\r\n";

  std::mutex mutex;
  std::vector<Exchange> probes;   // GET /readyz every 20 ms, as a balancer's health check
  std::vector<Exchange> traffic;  // GET /api/v1/vouchers/{id}, as the balancer's requests
  std::optional<Clock::time_point> first_503;

  std::thread prober([&] {
    int refusals = 0;
    const auto give_up = Clock::now() + 20s;
    while (refusals < 5 && Clock::now() < give_up) {
      auto e = exchange(port, "/readyz", "");
      {
        std::lock_guard lock(mutex);
        probes.push_back(e);
        if (e.outcome == Outcome::answered && e.status == 503 && !first_503) first_503 = e.at;
      }
      refusals += e.outcome == Outcome::refused ? 1 : 0;
      std::this_thread::sleep_for(20ms);
    }
  });
  std::vector<std::thread> senders;
  for (int t = 0; t < 2; ++t) {
    senders.emplace_back([&] {
      const auto give_up = Clock::now() + 20s;
      while (Clock::now() < give_up) {
        {
          std::lock_guard lock(mutex);
          if (first_503 && Clock::now() - *first_503 > kBalancerReaction) return;
        }
        auto e = exchange(port, "/api/v1/vouchers/" + voucher, auth);
        std::lock_guard lock(mutex);
        traffic.push_back(e);
      }
    });
  }

  std::this_thread::sleep_for(500ms);
  const auto sigterm_at = Clock::now();
  cluster.process(0).signal(SIGTERM);
  // While draining, a keep-alive request is answered with Connection: close.
  std::this_thread::sleep_for(300ms);
  auto keep_alive = raw_exchange(port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(keep_alive.status, 200) << keep_alive.head;
  EXPECT_NE(keep_alive.head.find("Connection: close"), std::string::npos) << keep_alive.head;

  for (auto& s : senders)
    s.join();
  const int status = cluster.process(0).wait(15s);
  prober.join();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "exit status " << status;

  // The probes: 200 before the signal, 503 after it, then refused, never an accepted probe
  // without an answer, and the 503s last about the drain delay.
  std::optional<Clock::time_point> first_refused;
  int ready_before = 0, draining = 0, dropped = 0;
  for (const auto& e : probes) {
    if (e.outcome == Outcome::dropped) ++dropped;
    if (e.outcome == Outcome::refused && !first_refused) first_refused = e.at;
    if (e.outcome != Outcome::answered) continue;
    if (e.status == 200) {
      EXPECT_LT(ms_between(sigterm_at, e.at), 100.0) << "/readyz 200 after the signal";
      ++ready_before;
    } else {
      EXPECT_EQ(e.status, 503);
      EXPECT_FALSE(first_refused) << "an answer after a refusal";
      ++draining;
    }
  }
  EXPECT_EQ(dropped, 0) << "probes accepted and not answered";
  EXPECT_GT(ready_before, 0);
  ASSERT_TRUE(first_503) << "/readyz never answered 503 before the listener closed";
  ASSERT_TRUE(first_refused) << "the listener never closed";
  EXPECT_GT(draining, 10);
  const double drained_ms = ms_between(*first_503, *first_refused);
  const double delay_ms = std::chrono::duration<double, std::milli>(kDrainDelay).count();
  EXPECT_GE(drained_ms, delay_ms - 500.0) << "503 for " << drained_ms << " ms only";
  EXPECT_LT(drained_ms, 5000.0);
  EXPECT_LT(ms_between(sigterm_at, *first_503), 500.0);

  // The requests: every one answered 200, also those sent after /readyz turned 503.
  int after_503 = 0;
  for (const auto& e : traffic) {
    EXPECT_EQ(e.outcome, Outcome::answered)
        << "a request refused or dropped " << ms_between(sigterm_at, e.at) << " ms after SIGTERM";
    EXPECT_EQ(e.status, 200);
    after_503 += e.at > *first_503 ? 1 : 0;
  }
  EXPECT_GT(traffic.size(), 20U);
  EXPECT_GT(after_503, 5) << "requests served while /readyz said 503";
}

}  // namespace
