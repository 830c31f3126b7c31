// 10,000 malformed or hostile requests against a real `seckill serve`, in both modes: broken
// request lines, bad JSON, huge numbers, wrong types, unicode and NUL bytes, path traversal, huge
// headers and bodies, bad tokens; event-stream parameters, Transfer-Encoding variants and tokens
// whose nbf, iat or exp the server must refuse (issue #17); and slowloris clients alongside. Every
// request must get a 4xx or a closed connection (never a 2xx, 3xx or 5xx, never a connection left
// hanging), the server must stay alive and serve real requests afterwards, and its memory must stay
// flat.
#include <atomic>
#include <chrono>
#include <csignal>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "auth/base64url.hpp"
#include "auth/hmac_sha256.hpp"
#include "system/raw_exchange.hpp"
#include "system/seckill_cluster.hpp"

using namespace seckill::testing;

namespace {

constexpr int kRequests = 10'000;
constexpr int kThreads = 8;

/// A literal with its NUL bytes (std::string's constructor from const char* stops at the first).
template <std::size_t N>
std::string with_nuls(const char (&text)[N]) {
  return std::string(text, N - 1);
}

std::string request(const std::string& method, const std::string& target,
                    const std::string& headers = {}, const std::string* body = nullptr) {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers;
  if (body != nullptr) {
    r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body->size()) +
         "\r\n\r\n" + *body;
  } else {
    r += "\r\n";
  }
  return r;
}

std::string bearer(const std::string& token) {
  return "Authorization: Bearer " + token + "\r\n";
}

long long now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// A token with exactly these claims (a JSON object), correctly signed with kTestJwtSecret: only
/// the claims make it unacceptable.
std::string signed_token(const std::string& claims) {
  static const seckill::auth::HmacSha256 hmac(kTestJwtSecret);
  std::string token;
  seckill::auth::base64url_encode_append(R"({"alg":"HS256","typ":"JWT"})", token);
  token.push_back('.');
  seckill::auth::base64url_encode_append(claims, token);
  const auto mac = hmac.mac(token);
  token.push_back('.');
  seckill::auth::base64url_encode_append(
      std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()), token);
  return token;
}

/// Signed tokens that must be refused (401) for their times: not yet valid, issued in the
/// future, living too long (--token-max-ttl, 24 h by default), expired, or without exp.
std::vector<std::string> untimely_tokens() {
  const long long now = now_s();
  return {
      signed_token(fmt::format(R"({{"sub":"77","exp":{},"nbf":{}}})", now + 600, now + 300)),
      signed_token(fmt::format(R"({{"sub":"77","exp":{},"iat":{}}})", now + 600, now + 300)),
      signed_token(R"({"sub":"77","exp":1e300})"),
      signed_token(fmt::format(R"({{"sub":"77","exp":1e300,"iat":{}}})", now)),
      signed_token(R"({"sub":"77","exp":18446744073709551616})"),
      signed_token(R"({"sub":"77"})"),
      signed_token(fmt::format(R"({{"sub":"77","iat":{}}})", now)),
      signed_token(fmt::format(R"({{"sub":"77","exp":{}}})", now - 60)),
      signed_token(fmt::format(R"({{"sub":"77","exp":"{}"}})", now + 600)),
      signed_token(fmt::format(R"({{"sub":"77","exp":{},"nbf":1e300}})", now + 600)),
      signed_token(fmt::format(R"({{"sub":"77","exp":{},"iat":-1e300}})", now + 600)),
  };
}

/// Bodies for POST /api/v1/vouchers that no single byte change can make valid: each lacks
/// `end_at` (misspelt two letters away) or is broken in more than one place.
/// A request, the one status it must get, and a text its error message must contain.
struct Expected {
  std::string bytes;
  int status;
  std::string says = {};
};

/// GET /api/v1/events with parameters out of range or malformed (400), or without a token or
/// with one of `untimely` (401).
std::vector<Expected> event_stream_requests(const std::string& user,
                                            const std::vector<std::string>& untimely) {
  std::vector<Expected> out;
  for (const char* interval : {"0", "1", "999", "10001", "99999999999999999999999", "-1000", "1e3",
                               "abc", "", "1000ms", "%00", "0x3e8", "%201000"}) {
    out.push_back(
        {request("GET", std::string("/api/v1/events?interval_ms=") + interval, bearer(user)), 400});
    out.push_back({request("GET", std::string("/api/v1/events?interval_ms=") + interval +
                                      "&access_token=" + user),
                   400});
  }
  for (const char* voucher : {"0", "x", "-1", "99999999999999999999999"}) {
    out.push_back(
        {request("GET", std::string("/api/v1/events?voucher=") + voucher, bearer(user)), 400});
  }
  out.push_back({request("GET", "/api/v1/events?interval_ms=2000"), 401});
  out.push_back({request("GET", "/api/v1/events?access_token="), 401});
  for (const auto& token : untimely) {
    out.push_back({request("GET", "/api/v1/events?interval_ms=1000&access_token=" + token), 401});
    out.push_back({request("GET", "/api/v1/events?interval_ms=1000", bearer(token)), 401});
  }
  return out;
}

/// POST requests whose Transfer-Encoding is not `chunked` alone (RFC 9112 section 6.1): 400
/// before any body is read. The body is a valid voucher, chunked: framed as chunked, it would be
/// taken (201).
std::vector<Expected> transfer_encoding_requests(const std::string& admin) {
  const std::string voucher =
      R"({"title":"te","stock":1,"begin_at":"2020-01-01T00:00:00Z","end_at":"2099-01-01T00:00:00Z"})";
  const std::string body = fmt::format("{:x}\r\n{}\r\n0\r\n\r\n", voucher.size(), voucher);
  std::vector<Expected> out;
  for (const std::string& te : std::vector<std::string>{
           "Transfer-Encoding: chunked, gzip\r\n",
           "Transfer-Encoding: gzip\r\n",
           "Transfer-Encoding: gzip, chunked\r\n",
           "Transfer-Encoding: identity\r\n",
           "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
           "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n",
           "Transfer-Encoding: chunked, chunked\r\n",
           "Transfer-Encoding: xchunked\r\n",
           "Transfer-Encoding: chunked\r\nContent-Length: " + std::to_string(body.size()) + "\r\n",
           "Content-Length: " + std::to_string(body.size()) + "\r\nTransfer-Encoding: chunked\r\n",
       }) {
    out.push_back({"POST /api/v1/vouchers HTTP/1.1\r\nHost: x\r\n" + bearer(admin) +
                       "Content-Type: application/json\r\n" + te + "\r\n" + body,
                   400, "Transfer-Encoding"});
  }
  // Beast refuses both framings itself before our check runs: "bad Content-Length" when the
  // Content-Length comes second, "bad Transfer-Encoding" when it comes first.
  out[out.size() - 2].says = "Content-Length";
  return out;
}

std::string bad_json(std::mt19937_64& rng) {
  static const std::vector<std::string> bodies = {
      R"({"title":"x","stock":0,"begin_at":"2020-01-01T00:00:00Z","end_by":"2099-01-01T00:00:00Z"})",
      R"({"title":"x","stock":99999999999999999999999999,"begin_at":"2020-01-01T00:00:00Z"})",
      R"({"title":"x","stock":1e400,"begin_at":"2020-01-01T00:00:00Z","end_by":"2099-01-01T00:00:00Z"})",
      R"({"title":"x","stock":-9223372036854775809})",
      R"({"title":"x","stock":18446744073709551615,"begin_at":"2020-01-01T00:00:00Z"})",
      R"({"title":"x","stock":"5","begin_at":"2020-01-01T00:00:00Z","end_by":"2099-01-01T00:00:00Z"})",
      R"({"title":5,"stock":5,"begin_at":"2020-01-01T00:00:00Z","end_by":"2099-01-01T00:00:00Z"})",
      R"({"title":"x","stock":5.5,"begin_at":"2020-01-01T00:00:00Z","end_by":"2099-01-01T00:00:00Z"})",
      R"({"title":"x","stock":5,"begin_at":"2099-01-01T00:00:00Z","end_by":"2020-01-01T00:00:00Z"})",
      R"({"title":"x","stock":5,"begin_at":"yesterday","end_at":"tomorrow"})",
      R"({"title":"x","stock":5,"begin_at":"2026-02-30T00:00:00Z","end_at":"2099-13-01T00:00:00Z"})",
      R"({"title":null,"stock":null,"begin_at":null,"end_at":null})",
      R"({"title":["x"],"stock":{},"begin_at":[],"end_at":true})",
      R"([{"title":"x","stock":5,"begin_at":"2020-01-01T00:00:00Z","end_by":"2099-01-01T00:00:00Z"}])",
      R"("just a string")",
      R"({"title":"x","stock":5,"begin_at":"2020-01-01T00:00:00Z","end_by":"2099-01-01T00:00:00Z"}garbage)",
      with_nuls("{\"title\":\"a\0b\",\"stock\":0}"),
      "{\"title\":\"\xff\xfe\xfd\",\"stock\":0}",
      R"({"title":"\ud800","stock":0})",
      std::string(250, 'x'),
  };
  std::string body = bodies[rng() % bodies.size()];
  switch (rng() % 4) {
    case 0:  // truncated
      body.resize(rng() % (body.size() + 1));
      break;
    case 1:  // one byte changed to anything, NUL included
      if (!body.empty()) body[rng() % body.size()] = static_cast<char>(rng() % 256);
      break;
    case 2:  // deeply nested
      body = std::string(1 + rng() % 100'000, '[') + "1";
      break;
    default:
      break;
  }
  return body;
}

std::string junk(std::mt19937_64& rng, std::size_t max) {
  std::string s(1 + rng() % max, '\0');
  for (auto& c : s)
    c = static_cast<char>(rng() % 256);
  return s;
}

/// The hostile request number `i` (deterministic for a seed).
std::string hostile(int i, std::mt19937_64& rng, const std::string& admin, const std::string& user,
                    const std::vector<std::string>& untimely) {
  switch (i % 13) {
    case 0: {  // broken request lines
      static const std::vector<std::string> lines = {
          "GET\r\n\r\n",
          "GET /api/v1/vouchers/1\r\n\r\n",
          "/api/v1/vouchers/1 HTTP/1.1\r\n\r\n",
          "GET /api/v1/vouchers/1 HTTP/1.1 extra\r\n\r\n",
          "G@T /api/v1/vouchers/1 HTTP/1.1\r\n\r\n",
          "GET /api/v1/vouchers/1 HTTX/1.1\r\n\r\n",
          "GET /api/v1/vouchers/1 HTTP/1.1\r\nno colon here\r\n\r\n",
          "GET /api/v1/vouchers/1 HTTP/1.1\r\n: empty name\r\n\r\n",
          "GET /api/v1/vouchers/1 HTTP/1.1\r\nX-Folded: a\r\n b\r\n\r\n",
          "\r\n\r\n\r\n",
          std::string(5000, 'A') + " /api/v1/vouchers/1 HTTP/1.1\r\n\r\n",
          "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n",
          "GET http://evil.example/api/v1/vouchers/1 HTTP/1.1\r\n\r\n",
          "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
          "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\n",
      };
      if (rng() % 4 == 0) return junk(rng, 3000) + "\r\n\r\n";
      return lines[rng() % lines.size()];
    }
    case 1:
    case 2: {  // bad JSON bodies, as an admin (the only one who may post them)
      auto body = bad_json(rng);
      return request("POST", "/api/v1/vouchers", bearer(admin), &body);
    }
    case 3: {  // wrong types and huge numbers in the path
      static const std::vector<std::string> ids = {"0",
                                                   "-1",
                                                   "99999999999999999999999",
                                                   "18446744073709551616",
                                                   "1e5",
                                                   "0x10",
                                                   "%00",
                                                   "abc",
                                                   "%201",
                                                   "1%20",
                                                   "1.0",
                                                   "+1",
                                                   "%31%32",
                                                   "9223372036854775808",
                                                   "%F0%9F%98%80"};
      auto id = ids[rng() % ids.size()];
      switch (rng() % 3) {
        case 0:
          return request("GET", "/api/v1/vouchers/" + id, bearer(user));
        case 1:
          return request("POST", "/api/v1/vouchers/" + id + "/orders", bearer(user));
        default:
          return request("POST", "/api/v1/reminders/" + id + "/ack", bearer(admin));
      }
    }
    case 4: {  // path traversal
      static const std::vector<std::string> targets = {
          "/../../etc/passwd",
          "/api/v1/../../../etc/passwd",
          "/api/v1/tickets/..%2F..%2Fetc%2Fpasswd/reminders",
          "/api/v1/tickets/../reminders",
          "/%2e%2e/%2e%2e/etc/passwd",
          "//etc/passwd",
          "/api/v1/vouchers/1/../../../../etc/shadow",
          "/api/v1/tickets/%2e%2e/reminders",
          "/api//v1/vouchers",
          "/api/v1/vouchers/",
          "/api/v1/tickets/a%2Fb/reminders",
          "/..%c0%af../etc/passwd",
          "/api/v1/tickets/" + std::string(65, 'A') + "/reminders",
      };
      return request(rng() % 2 ? "GET" : "POST", targets[rng() % targets.size()], bearer(user));
    }
    case 5: {  // unicode and NUL bytes
      static const std::vector<std::string> requests = {
          "POST /api/v1/tickets/\xc3\xa9t\xc3\xa9/reminders HTTP/1.1\r\nHost: x\r\n" +
              bearer(user) + "\r\n",
          request("POST", "/api/v1/tickets/%C3%A9t%C3%A9/reminders", bearer(user)),
          request("POST", "/api/v1/tickets/INC%001/reminders", bearer(user)),
          with_nuls("GET /api/v1/vouchers/1\0 HTTP/1.1\r\nHost: x\r\n\r\n"),
          with_nuls("GET /api/v1/vouchers/1 HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n"),
          with_nuls("GET /api/v1/vouchers/1 HTTP/1.1\r\nAuthorization: Bearer a\0b\r\n\r\n"),
          "GET /api/v1/vouchers/1 HTTP/1.1\r\nX-\xe2\x98\x83: snow\r\n\r\n",
          request("GET", "/api/v1/reminders?status=%FF%FE", bearer(admin)),
          request("GET", "/api/v1/reminders?status=open%00", bearer(admin)),
          request("GET", "/api/v1/reminders?status=%zz", bearer(admin)),
          request("GET", "/api/v1/reminders?status=open&limit=99999999999999999999", bearer(admin)),
          request("GET", "/api/v1/reminders?status=open&cursor=170000000000000024-1",
                  bearer(admin)),
      };
      return requests[rng() % requests.size()];
    }
    case 6: {  // huge headers and impossible framing
      switch (rng() % 8) {
        case 0:
          return request("GET", "/api/v1/vouchers/1", "X-Big: " + std::string(9000, 'b') + "\r\n");
        case 1: {
          std::string many;
          for (int h = 0; h < 150; ++h)
            many += fmt::format("X-H{}: v\r\n", h);
          return request("GET", "/api/v1/vouchers/1", many);
        }
        case 2:
          return "POST /api/v1/vouchers HTTP/1.1\r\nHost: x\r\n" + bearer(admin) +
                 "Content-Length: 99999999999\r\n\r\n{";
        case 3:
          return "POST /api/v1/vouchers HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n";
        case 4:
          return "POST /api/v1/vouchers HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                 "Content-Length: 6\r\n\r\n{}{}{}";
        case 5:
          return "POST /api/v1/vouchers HTTP/1.1\r\nHost: x\r\n" + bearer(admin) +
                 "Transfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n";
        case 6:
          return "POST /api/v1/vouchers HTTP/1.1\r\nHost: x\r\n" + bearer(admin) +
                 "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n";
        default:
          return "POST /api/v1/vouchers HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
      }
    }
    case 7: {  // bad tokens
      static const std::vector<std::string> auths = {
          "Authorization: Bearer\r\n",
          "Authorization: Bearer \r\n",
          "Authorization: Bearer a.b.c\r\n",
          "Authorization: bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIiwiZXhwIjo0MTAyNDQ0ODAwfQ.\r\n",
          "Authorization: Basic YWRtaW46YWRtaW4=\r\n",
          "Authorization: Bearer " + std::string(7000, 'x') + "\r\n",
          "Authorization: Bearer " + admin + "x\r\n",
          "Authorization: Bearer \xe2\x98\x83.\xe2\x98\x83.\xe2\x98\x83\r\n",
          "Authorization: Bearer " + admin.substr(0, admin.rfind('.')) + ".\r\n",
      };
      return request("GET", "/api/v1/reminders?status=open", auths[rng() % auths.size()]);
    }
    case 8: {  // wrong methods and no token where one is needed
      static const std::vector<std::string> requests = {
          request("DELETE", "/api/v1/vouchers/1", bearer(admin)),
          request("PUT", "/api/v1/vouchers", bearer(admin)),
          request("PATCH", "/api/v1/orders/1", bearer(user)),
          request("TRACE", "/api/v1/vouchers/1"),
          request("POST", "/healthz"),
          request("POST", "/api/v1/vouchers/1/orders"),
          request("GET", "/api/v1/orders/1"),
          request("POST", "/api/v1/vouchers", bearer(user)),
          request("POST", "/api/v1/reminders/1/resolve", bearer(user)),
          request("GET", "/metrics/../../etc/passwd"),
      };
      return requests[rng() % requests.size()];
    }
    case 9: {  // event-stream parameters and tokens: none may open a stream
      auto requests = event_stream_requests(user, untimely);
      return requests[rng() % requests.size()].bytes;
    }
    case 10: {  // Transfer-Encoding other than `chunked` alone
      auto requests = transfer_encoding_requests(admin);
      return requests[rng() % requests.size()].bytes;
    }
    case 11: {  // signed tokens with nbf or iat in the future, a huge or missing exp
      const auto& bad = untimely[rng() % untimely.size()];
      return rng() % 2 ? request("GET", "/api/v1/reminders?status=open", bearer(bad))
                       : request("POST", "/api/v1/vouchers/1/orders", bearer(bad));
    }
    default: {  // bodies too large (every 50th), else random junk after a valid head
      if (i % 650 == 12) {
        std::string body(1024 * 1024 + 1, '{');
        return request("POST", "/api/v1/vouchers", bearer(admin), &body);
      }
      return request("GET", "/api/v1/vouchers/1") + junk(rng, 200);
    }
  }
}

struct Tally {
  std::mutex mutex;
  std::map<int, int> statuses;
  std::vector<std::string> wrong;  // the first few offending requests
  std::atomic<int> done{0};
};

void barrage(unsigned short port, int from, int to, std::uint64_t seed, Tally& tally) {
  const auto admin = token_for(1, "admin"), user = token_for(77);
  const auto untimely = untimely_tokens();
  std::atomic<int> next{from};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (;;) {
        int i = next.fetch_add(1);
        if (i >= to) return;
        std::mt19937_64 rng(seed * 1'000'003 + static_cast<std::uint64_t>(i));
        auto bytes = hostile(i, rng, admin, user, untimely);
        RawOptions options;
        options.wait = std::chrono::milliseconds(8000);
        auto answer = raw_exchange(port, bytes, options);
        const bool ok =
            (answer.status >= 400 && answer.status < 500) || (answer.status == 0 && answer.closed);
        std::lock_guard lock(tally.mutex);
        tally.statuses[answer.status]++;
        tally.done++;
        if (!ok && tally.wrong.size() < 10) {
          tally.wrong.push_back(
              fmt::format("#{} -> {} (closed {}, timed out {}): {:.300}\n  {:.300}", i,
                          answer.status, answer.closed, answer.timed_out, bytes, answer.body));
        }
      }
      (void)t;
    });
  }
  for (auto& th : threads)
    th.join();
}

/// Slowloris: clients that send a request a byte at a time, too slowly to finish within the
/// server's request timeout (10 s). Each must be cut off (closed, no answer) within ~15 s.
void slowloris(unsigned short port, int clients, std::atomic<int>& cut_off,
               std::atomic<int>& answered_wrongly) {
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::string bytes =
          c % 2 == 0
              ? "GET /api/v1/vouchers/1 HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(200, 's') +
                    "\r\n\r\n"
              : "POST /api/v1/vouchers HTTP/1.1\r\nHost: x\r\nContent-Length: "
                "300\r\n\r\n" +
                    std::string(300, ' ');
      RawOptions options;
      options.piece = 1;
      options.pause = std::chrono::milliseconds(100);
      options.wait = std::chrono::milliseconds(16'000);
      auto answer = raw_exchange(port, bytes, options);
      if (answer.closed && answer.status == 0) {
        cut_off++;
      } else {
        answered_wrongly++;
      }
    });
  }
  for (auto& t : threads)
    t.join();
}

class Barrage : public ::testing::TestWithParam<Mode> {};

std::string mode_name(const ::testing::TestParamInfo<Mode>& info) {
  return info.param == Mode::embedded ? "embedded" : "distributed";
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Modes, Barrage, ::testing::Values(Mode::distributed, Mode::embedded),
                         mode_name);

TEST_P(Barrage, TenThousandHostileRequestsGetA4xxOrAClose) {
  SeckillCluster cluster(1, {}, GetParam());
  const auto port = cluster.port(0);
  const int pid = cluster.process(0).pid();
  const std::uint64_t seed = std::random_device{}();
  SCOPED_TRACE(fmt::format("seed {}", seed));

  std::atomic<int> cut_off{0}, answered_wrongly{0};
  std::thread slow([&] { slowloris(port, 40, cut_off, answered_wrongly); });

  Tally tally;
  const int warm_up = 2000;
  barrage(port, 0, warm_up, seed, tally);
  const long rss_warm = rss_kib(pid);
  barrage(port, warm_up, kRequests, seed, tally);
  slow.join();
  const long rss_end = rss_kib(pid);

  EXPECT_EQ(tally.done.load(), kRequests);
  std::string summary;
  for (const auto& [status, count] : tally.statuses)
    summary += fmt::format(" {}:{}", status, count);
  std::string wrong;
  for (const auto& w : tally.wrong)
    wrong += w + "\n";
  EXPECT_TRUE(tally.wrong.empty()) << "statuses" << summary << "\n" << wrong;
  std::printf("barrage statuses:%s\nRSS after %d requests %ld KiB, after %d %ld KiB\n",
              summary.c_str(), warm_up, rss_warm, kRequests, rss_end);
  EXPECT_EQ(cut_off.load(), 40) << "slowloris clients must be disconnected without an answer";
  EXPECT_EQ(answered_wrongly.load(), 0);

  // Alive and serving.
  ASSERT_TRUE(cluster.process(0).running());
  auto client = cluster.client(0);
  EXPECT_EQ(client.request("GET", "/healthz").status, 200);
  auto voucher = create_voucher(client, 1);
  auto order = client.request("POST", "/api/v1/vouchers/" + voucher + "/orders", token_for(4242));
  EXPECT_EQ(order.status, 201) << order.body;

  // Memory flat: 8,000 more hostile requests after the warm-up add little. Not under ASan (the
  // `asan` preset): it keeps freed memory in quarantine, up to 256 MB, to catch late uses, so
  // the RSS grows by design there (~210 MB here); what a leak would be, LeakSanitizer checks
  // when the process exits, which is why it is stopped with SIGTERM and must exit 0 (a leak
  // report makes the exit status non-zero), and its log is read for any sanitizer report.
#if !defined(__SANITIZE_ADDRESS__)
  ASSERT_GT(rss_warm, 0);
  EXPECT_LT(rss_end - rss_warm, 16 * 1024)
      << "RSS grew from " << rss_warm << " KiB to " << rss_end << " KiB";
#endif
  const int status = cluster.process(0).stop(SIGTERM, kStopGrace);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "exit status " << status << " after SIGTERM (a LeakSanitizer report?)";
  for (const auto& report : sanitizer_reports_in(cluster.log_path(0)))
    ADD_FAILURE() << "sanitizer report: " << report;
}

// Each input of the surfaces issue #17 added, once, gets the one clear 4xx it must (the barrage
// above only asks for some 4xx or a close), and the server stays healthy.
TEST_P(Barrage, EventStreamTransferEncodingAndUntimelyTokensGetAClear4xx) {
  SeckillCluster cluster(1, {}, GetParam());
  const auto port = cluster.port(0);
  const auto admin = token_for(1, "admin"), user = token_for(77);
  const auto untimely = untimely_tokens();
  std::vector<Expected> all = event_stream_requests(user, untimely);
  for (auto& e : transfer_encoding_requests(admin))
    all.push_back(std::move(e));
  for (const auto& token : untimely) {
    all.push_back({request("GET", "/api/v1/reminders?status=open", bearer(token)), 401});
    all.push_back({request("POST", "/api/v1/vouchers/1/orders", bearer(token)), 401});
  }
  for (const auto& e : all) {
    RawOptions options;
    options.wait = std::chrono::milliseconds(5000);
    auto answer = raw_exchange(port, e.bytes, options);
    EXPECT_EQ(answer.status, e.status) << e.bytes << "\n -> " << answer.head << answer.body;
    EXPECT_NE(answer.body.find(e.says.empty() ? "\"error\"" : e.says), std::string::npos)
        << e.bytes << "\n -> " << answer.body;
  }
  ASSERT_TRUE(cluster.process(0).running());
  auto client = cluster.client(0);
  EXPECT_EQ(client.request("GET", "/healthz").status, 200);
  EXPECT_EQ(client.request("GET", "/api/v1/reminders?status=open", token_for(2, "staff")).status,
            200);
}
