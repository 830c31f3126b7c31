#include "chaos/private_services.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <stdlib.h>

#include <fmt/format.h>

namespace seckill::testing {

namespace {

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

PrivateServices::PrivateServices(std::string appendfsync) {
  char pattern[] = "/tmp/seckill-chaos-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  auto cmd = fmt::format("SECKILL_REDIS_APPENDFSYNC={} scripts/services start '{}' >/dev/null",
                         appendfsync, dir_);
  if (std::system(cmd.c_str()) != 0) {
    std::filesystem::remove_all(dir_);
    throw std::runtime_error("scripts/services start failed: " + cmd);
  }
  redis_port_ = static_cast<unsigned short>(std::stoi(read_line(dir_ + "/redis/port")));
  postgres_port_ = static_cast<unsigned short>(std::stoi(read_line(dir_ + "/pg/port")));
  const std::pair<const char*, std::string> env[] = {
      {"SECKILL_TEST_REDIS_URL", fmt::format("redis://127.0.0.1:{}", redis_port_)},
      {"SECKILL_TEST_POSTGRES_URL",
       fmt::format("postgresql://seckill@127.0.0.1:{}/seckill", postgres_port_)},
      {"SECKILL_TEST_SERVICES_DIR", dir_}};
  for (const auto& [name, value] : env) {
    const char* old = std::getenv(name);
    saved_env_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
    ::setenv(name, value.c_str(), 1);
  }
}

PrivateServices::~PrivateServices() {
  for (const auto& [name, value] : saved_env_) {
    if (value) {
      ::setenv(name.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(name.c_str());
    }
  }
  auto cmd = fmt::format("scripts/services stop '{}' >/dev/null 2>&1", dir_);
  [[maybe_unused]] int ignored = std::system(cmd.c_str());
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void PrivateServices::run(const std::string& verb) const {
  auto cmd = fmt::format("scripts/services {} '{}' >/dev/null", verb, dir_);
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
}

void PrivateServices::kill_redis() {
  run("redis-kill");
}
void PrivateServices::start_redis() {
  run("redis-start");
}
void PrivateServices::stop_postgres() {
  run("pg-stop");
}
void PrivateServices::start_postgres() {
  run("pg-start");
}

void PrivateServices::start_postgres_read_only() {
  {
    std::ofstream conf(dir_ + "/pg/data/postgresql.auto.conf", std::ios::app);
    conf << "default_transaction_read_only = on\n";
    if (!conf) throw std::runtime_error("cannot write postgresql.auto.conf in " + dir_);
  }
  start_postgres();
}

void PrivateServices::make_postgres_writable() {
  auto cmd = fmt::format(
      "psql -q -X 'postgresql://seckill@127.0.0.1:{}/seckill' -c 'alter system reset "
      "default_transaction_read_only' -c 'select pg_reload_conf()' >/dev/null",
      postgres_port_);
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
}

}  // namespace seckill::testing
