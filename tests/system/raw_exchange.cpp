#include "system/raw_exchange.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace seckill::testing {

namespace {

using Clock = std::chrono::steady_clock;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

/// Parses what arrived so far; true once one whole response is there.
bool parse_response(const std::string& data, RawAnswer& out) {
  auto end = data.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  out.head = data.substr(0, end);
  if (out.head.size() >= 12 && out.head.starts_with("HTTP/1.")) {
    out.status = std::atoi(out.head.c_str() + 9);
  }
  std::size_t length = 0;
  std::string lower = out.head;
  for (auto& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto at = lower.find("\r\ncontent-length:");
  if (at != std::string::npos) length = std::strtoul(lower.c_str() + at + 17, nullptr, 10);
  if (data.size() < end + 4 + length) return false;
  out.body = data.substr(end + 4, length);
  return true;
}

}  // namespace

RawAnswer raw_exchange(unsigned short port, const std::string& bytes, const RawOptions& options) {
  RawAnswer out;
  const auto deadline = Clock::now() + options.wait;
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return out;
  if (!options.source.empty()) {
    sockaddr_in src{};
    src.sin_family = AF_INET;
    ::inet_pton(AF_INET, options.source.c_str(), &src.sin_addr);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) return out;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    out.closed = true;
    return out;
  }
  timeval tv{};
  tv.tv_sec = 2;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

  std::string received;
  auto read_some = [&](int wait_ms) {
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, wait_ms) <= 0) return true;
    char chunk[16384];
    auto n = ::recv(fd.get(), chunk, sizeof chunk, 0);
    if (n <= 0) {
      out.closed = true;
      return false;
    }
    received.append(chunk, static_cast<std::size_t>(n));
    return true;
  };

  // Send (in pieces for slowloris), noticing an early answer or close on the way.
  std::size_t sent = 0;
  const std::size_t piece = options.piece == 0 ? bytes.size() : options.piece;
  while (sent < bytes.size() && remaining_ms(deadline) > 0) {
    auto n =
        ::send(fd.get(), bytes.data() + sent, std::min(piece, bytes.size() - sent), MSG_NOSIGNAL);
    if (n <= 0) break;  // the server stopped reading or closed: see what it said
    sent += static_cast<std::size_t>(n);
    if (options.piece != 0 && sent < bytes.size()) {
      if (!read_some(static_cast<int>(options.pause.count()))) break;
      if (parse_response(received, out)) return out;
    }
  }
  while (!out.closed && remaining_ms(deadline) > 0) {
    if (!read_some(std::min(remaining_ms(deadline), 100))) break;
    if (parse_response(received, out)) return out;
  }
  if (!parse_response(received, out)) out.status = 0;
  out.timed_out = !out.closed && remaining_ms(deadline) == 0;
  return out;
}

long rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmRSS:")) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

}  // namespace seckill::testing
