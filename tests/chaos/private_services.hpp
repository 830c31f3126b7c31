#pragma once
// A Redis and a PostgreSQL of one fault test's own (scripts/services), which the test may kill
// and restart without disturbing the other tests. While it lives, SECKILL_TEST_REDIS_URL,
// SECKILL_TEST_POSTGRES_URL and SECKILL_TEST_SERVICES_DIR point at it, so SeckillCluster and
// SeckillCluster::check() use it; the previous values come back when it goes away.

#include <optional>
#include <string>
#include <vector>

namespace seckill::testing {

class PrivateServices {
 public:
  /// `appendfsync`: the Redis durability setting (SECKILL_REDIS_APPENDFSYNC of scripts/services:
  /// "no", "always" or "everysec"). Runs from the source tree (the tests' working directory).
  explicit PrivateServices(std::string appendfsync = "always");
  ~PrivateServices();
  PrivateServices(const PrivateServices&) = delete;
  PrivateServices& operator=(const PrivateServices&) = delete;

  unsigned short redis_port() const { return redis_port_; }
  unsigned short postgres_port() const { return postgres_port_; }

  void kill_redis();      ///< kill -9
  void start_redis();     ///< same port, from its append-only file; returns once it answers
  void stop_postgres();   ///< fast shutdown
  void start_postgres();  ///< returns once it accepts connections
  /// Starts it refusing writes (default_transaction_read_only in its postgresql.auto.conf), as a
  /// promoted replica or a demoted primary does for a while after a failover.
  void start_postgres_read_only();
  /// Takes writes again (ALTER SYSTEM RESET, then a reload: open sessions follow).
  void make_postgres_writable();

 private:
  void run(const std::string& verb) const;

  std::string dir_;
  unsigned short redis_port_ = 0;
  unsigned short postgres_port_ = 0;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_env_;
};

}  // namespace seckill::testing
