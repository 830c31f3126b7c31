#pragma once
// The processes `seckill demo` starts (redis-server, postgres, `seckill serve` instances), each
// kept by its pid and stopped by that pid: never by name. They also die with the demo if it is
// killed outright (PR_SET_PDEATHSIG), so nothing is left behind.

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace seckill::app {

class ChildProcesses {
 public:
  ChildProcesses() = default;
  ~ChildProcesses();  ///< stop_all()
  ChildProcesses(const ChildProcesses&) = delete;
  ChildProcesses& operator=(const ChildProcesses&) = delete;

  /// Starts `argv` (argv[0] a path, or a name looked up in PATH) with stdout and stderr appended
  /// to `log_path`, as user `run_as` when that is not empty and we are root. Returns its pid;
  /// throws std::runtime_error if it cannot start.
  /// `stop_signal` is what stop() sends first (postgres: SIGINT, its fast shutdown).
  pid_t start(const std::vector<std::string>& argv, const std::string& log_path,
              const std::string& run_as = {}, int stop_signal = 15);

  /// Runs `argv` to its end (up to `timeout`, then SIGKILL) and returns its exit status (-1 if
  /// killed by a signal).
  static int run(const std::vector<std::string>& argv, const std::string& log_path,
                 const std::string& run_as = {},
                 std::chrono::milliseconds timeout = std::chrono::seconds(120));

  /// Whether `pid`, one of ours, is still running (reaps it if it has ended).
  bool running(pid_t pid);

  /// The stop signal given to start(), then SIGKILL after `grace`; reaps it. Returns the wait
  /// status, -1 if not ours.
  int stop(pid_t pid, std::chrono::milliseconds grace = std::chrono::seconds(15));
  /// stop() for each, newest first.
  void stop_all();

 private:
  struct Child {
    pid_t pid;
    int stop_signal;
  };
  std::vector<Child> children_;
};

}  // namespace seckill::app
