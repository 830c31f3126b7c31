#pragma once
// The processes `seckill demo` starts (redis-server, postgres, `seckill serve` instances), each
// kept by its pid and stopped by that pid: never by name. They also die with the demo if it is
// killed outright (PR_SET_PDEATHSIG), so nothing is left behind.

#include <chrono>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace seckill::app {

/// Variables set in a child's environment on top of ours (NAME, value). Secrets go here, never
/// into argv: any local user reads a process's command line (`ps`, /proc/PID/cmdline), while
/// /proc/PID/environ is readable only by its owner.
using ChildEnvironment = std::vector<std::pair<std::string, std::string>>;

/// A `seckill serve` child: `self` (this binary) with `flags`, and `jwt_secret` passed as
/// SECKILL_JWT_SECRET in its environment (the same flag, CONTRACT.md), not on its command line.
struct ServeChild {
  std::vector<std::string> argv;
  ChildEnvironment env;
};
ServeChild serve_child(const std::string& self, std::vector<std::string> flags,
                       const std::string& jwt_secret);

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
  /// `env` is added to (or replaces in) the environment the child inherits.
  pid_t start(const std::vector<std::string>& argv, const std::string& log_path,
              const std::string& run_as = {}, int stop_signal = 15,
              const ChildEnvironment& env = {});

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
