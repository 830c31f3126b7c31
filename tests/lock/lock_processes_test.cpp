// The lock across processes, on the test run's Redis and PostgreSQL: mutual exclusion of many
// workers, and a holder frozen past its lease (SIGSTOP) whose late write the store refuses.
// The workers are tests/lock/lock_worker.cpp.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "lock/distributed_lock.hpp"
#include "store/pg_test_schema.hpp"
#include "support/child_process.hpp"

namespace seckill::testing {
namespace {

using namespace std::chrono_literals;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Waits until the file holds `text`, up to `timeout`.
bool wait_for_text(const std::string& path, const std::string& text,
                   std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (read_file(path).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

std::string log_path(const std::string& name) {
  auto dir =
      std::filesystem::temp_directory_path() / ("seckill_lock_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / (name + ".log")).string();
  std::filesystem::remove(path);
  return path;
}

std::unique_ptr<ChildProcess> worker(std::vector<std::string> args, const std::string& log) {
  args.insert(args.begin(), LOCK_WORKER_PATH);
  return std::make_unique<ChildProcess>(std::move(args), log);
}

bool exited_cleanly(int status) {
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(LockProcesses, EightProcessesTimesFiveHundredCyclesCountExactlyFourThousand) {
  PgTestSchema schema("lock_counter");
  auto c = schema.connect();
  c.exec("create table lock_counter (resource text primary key, n bigint not null)");
  const std::string resource = "counter:" + schema.name();
  c.exec("insert into lock_counter values ($1, 0)", {resource});

  std::vector<std::unique_ptr<ChildProcess>> workers;
  std::vector<std::string> logs;
  for (int i = 0; i < 8; ++i) {
    logs.push_back(log_path("counter" + std::to_string(i)));
    workers.push_back(worker({"counter", "--schema", schema.name(), "--resource", resource,
                              "--cycles", "500", "--ttl-ms", "5000"},
                             logs.back()));
  }
  for (std::size_t i = 0; i < workers.size(); ++i) {
    EXPECT_TRUE(exited_cleanly(workers[i]->wait(240s))) << read_file(logs[i]);
    EXPECT_NE(read_file(logs[i]).find("done refused=0"), std::string::npos) << read_file(logs[i]);
  }
  EXPECT_EQ(c.exec("select n from lock_counter where resource = $1", {resource}).int64(0, 0), 4000);
}

TEST(LockProcesses, AHolderFrozenPastItsLeaseIsRefusedByFencingWhenItResumes) {
  PgTestSchema schema("lock_stale");
  auto c = schema.connect();
  c.exec("create table lock_value (resource text primary key, value text, fence bigint)");
  const std::string resource = "stale:" + schema.name();
  c.exec("insert into lock_value values ($1, 'none', 0)", {resource});

  auto first_log = log_path("first");
  auto first = worker({"hold", "--schema", schema.name(), "--resource", resource, "--value",
                       "first", "--ttl-ms", "1000", "--pause-ms", "1500"},
                      first_log);
  ASSERT_TRUE(wait_for_text(first_log, "acquired", 20s)) << read_file(first_log);
  first->pause();  // a GC pause, swapped out, SIGSTOP: its watchdog is frozen too
  std::this_thread::sleep_for(1500ms);  // its lease (1 s) runs out in Redis

  auto second_log = log_path("second");
  auto second = worker({"hold", "--schema", schema.name(), "--resource", resource, "--value",
                        "second", "--ttl-ms", "1000", "--pause-ms", "0"},
                       second_log);
  EXPECT_TRUE(exited_cleanly(second->wait(30s))) << read_file(second_log);
  EXPECT_NE(read_file(second_log).find("written"), std::string::npos) << read_file(second_log);

  first->resume();
  EXPECT_TRUE(exited_cleanly(first->wait(30s))) << read_file(first_log);
  auto out = read_file(first_log);
  EXPECT_NE(out.find("refused"), std::string::npos) << out;
  EXPECT_NE(out.find("lost"), std::string::npos) << out;
  EXPECT_EQ(c.exec("select value from lock_value where resource = $1", {resource}).text(0, 0),
            "second");
}

}  // namespace
}  // namespace seckill::testing
