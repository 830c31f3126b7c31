#pragma once
// Several `seckill serve` processes on loopback ports, sharing the test run's Redis and
// PostgreSQL (scripts/with-services), for system tests. Every process is stopped by its pid
// when the cluster goes away, with SIGTERM (SIGKILL after a grace), and the test fails if a
// server's log holds a sanitizer report (support/child_process.hpp).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <libpq-fe.h>

#include "support/child_process.hpp"
#include "support/http_client.hpp"

namespace seckill::testing {

inline constexpr const char* kTestJwtSecret = "system-test-secret-of-at-least-32-bytes";

/// Distributed: every instance on the test run's Redis and PostgreSQL. Embedded: no servers, the
/// store in a temporary --data directory (one instance: the store belongs to one process).
/// Cluster: distributed, on the test run's Redis Cluster (SECKILL_TEST_REDIS_CLUSTER_URLS).
enum class Mode { distributed, embedded, cluster };

/// Whether the mode keeps its data in PostgreSQL (distributed and cluster).
inline bool uses_postgres(Mode mode) {
  return mode != Mode::embedded;
}

/// "distributed", "embedded", "cluster": test name suffixes.
inline const char* mode_label(Mode mode) {
  return mode == Mode::embedded ? "embedded" : mode == Mode::cluster ? "cluster" : "distributed";
}

class SeckillCluster {
 public:
  /// Starts `instances` servers and waits until each answers /healthz.
  explicit SeckillCluster(int instances, std::vector<std::string> extra_flags = {},
                          Mode mode = Mode::distributed);
  ~SeckillCluster();
  SeckillCluster(const SeckillCluster&) = delete;
  SeckillCluster& operator=(const SeckillCluster&) = delete;

  Mode mode() const { return mode_; }
  /// The embedded store's directory (--data), "" in the distributed modes.
  const std::string& data_dir() const { return data_dir_; }
  /// Stops instance `i` with SIGKILL and starts it again on the same port (and, embedded, the
  /// same data); waits until it answers.
  void restart_hard(int i);
  /// From its next (re)start, instance `i` (distributed) uses these URLs instead of the test
  /// run's, e.g. a fault-injecting proxy in front of them.
  void use_backends(int i, std::string redis, std::string postgres);
  /// The first column of every row of `sql`, run on this mode's store.
  std::vector<std::string> store_column(const std::string& sql) const;
  /// The first cell ("" if no row).
  std::string store_value(const std::string& sql) const;
  /// Waits until store_value(sql) == expected or `seconds` pass; returns the last value seen.
  std::string wait_for_store(const std::string& sql, const std::string& expected,
                             int seconds) const;

  int size() const { return static_cast<int>(ports_.size()); }
  unsigned short port(int i) const { return ports_[static_cast<std::size_t>(i)]; }
  ChildProcess& process(int i) { return *processes_[static_cast<std::size_t>(i)]; }
  /// Where instance `i` writes its output (appended over restarts).
  std::string log_path(int i) const;
  /// A new client to instance `i`.
  HttpClient client(int i) const { return HttpClient("127.0.0.1", port(i)); }

  /// Runs `seckill check` against the shared backends; returns its exit code.
  static int check();
  /// The same against the backends of `mode` (the cluster's seed list in Mode::cluster).
  static int check(Mode mode);

 private:
  void launch(std::size_t i);
  void wait_ready(unsigned short port) const;

  Mode mode_;
  std::string data_dir_;
  std::vector<std::string> extra_flags_;
  std::vector<unsigned short> ports_;
  std::vector<std::unique_ptr<ChildProcess>> processes_;
  std::map<int, std::pair<std::string, std::string>> backends_;  // instance -> redis, postgres
};

/// A bearer token signed with kTestJwtSecret.
std::string token_for(std::uint64_t user, const std::string& role = "user");

/// POST /api/v1/vouchers as admin; returns the voucher id (decimal string). `begin_offset_s` and
/// `end_offset_s` are relative to now.
std::string create_voucher(HttpClient& client, long long stock, int begin_offset_s = -60,
                           int end_offset_s = 3600);

}  // namespace seckill::testing
