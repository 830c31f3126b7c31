#include "support/test_env.hpp"

#include <arpa/inet.h>
#include <cstdlib>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace seckill::testing {
namespace {

std::string required_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(std::string(name) +
                             " is not set: run the tests through scripts/test, or wrap the "
                             "command in scripts/with-services");
  }
  return value;
}

}  // namespace

std::string redis_url() {
  return required_env("SECKILL_TEST_REDIS_URL");
}
std::string postgres_url() {
  return required_env("SECKILL_TEST_POSTGRES_URL");
}
std::string redis_cluster_urls() {
  return required_env("SECKILL_TEST_REDIS_CLUSTER_URLS");
}
std::string postgres_cluster_url() {
  return required_env("SECKILL_TEST_POSTGRES_CLUSTER_URL");
}
std::string seckill_binary() {
  return required_env("SECKILL_BINARY");
}

unsigned short free_port() {
  // Bind port 0 and read back what the kernel chose; the socket is closed at once, so the port
  // is free for the caller (a race with another process is possible but harmless in tests).
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("bind() failed");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace seckill::testing
