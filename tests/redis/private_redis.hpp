#pragma once
// A redis-server of a test's own, configured for what the test needs (a password, an ACL user,
// a TLS port only, a cluster node, a sentinel): its config file and data live in a fresh temp
// directory, it listens on 127.0.0.1 only, and it is stopped by its pid.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/test_env.hpp"

namespace seckill::redis::testing {

/// A fresh directory under the system's temp directory, removed with everything in it.
class TempDir {
 public:
  explicit TempDir(std::string_view name) {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("seckill-" + std::string(name) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

class PrivateRedis {
 public:
  /// Starts `redis-server` (with `--sentinel` when `sentinel`) in `dir` with the lines of `config`
  /// after the basics (port `port` unless `listen_port` says which port to wait for, no
  /// persistence, loopback only), and waits until `listen_port` (default: `port`) accepts.
  PrivateRedis(const TempDir& dir, std::string name, unsigned short port,
               std::vector<std::string> config, bool sentinel = false,
               unsigned short listen_port = 0)
      : port_(port), server_(start(dir, name, port, config, sentinel)) {
    seckill::testing::wait_for_port(listen_port != 0 ? listen_port : port,
                                    std::chrono::seconds(15));
  }

  unsigned short port() const { return port_; }
  seckill::testing::ChildProcess& process() { return server_; }

 private:
  static seckill::testing::ChildProcess start(const TempDir& dir, const std::string& name,
                                              unsigned short port,
                                              const std::vector<std::string>& config,
                                              bool sentinel) {
    const std::string conf = dir.file(name + ".conf");
    {
      std::ofstream out(conf);
      out << "port " << port << "\nbind 127.0.0.1\nsave \"\"\nappendonly no\n"
          << "dir " << dir.path().string() << "\n";
      for (const auto& line : config)
        out << line << "\n";
    }
    std::vector<std::string> argv{"redis-server", conf};
    if (sentinel) argv.emplace_back("--sentinel");
    return seckill::testing::ChildProcess(argv, dir.file(name + ".log"));
  }

  unsigned short port_;
  seckill::testing::ChildProcess server_;
};

}  // namespace seckill::redis::testing
