#pragma once
// A child process a test starts (a seckill server, a private redis-server) and stops by its pid,
// never by name. The destructor stops it if the test has not: SIGTERM, so that a server under
// AddressSanitizer exits through LeakSanitizer, then SIGKILL after a bounded grace. Then it
// reads what the process wrote to its log (only what this process wrote) and fails the running
// test on a sanitizer report.

#include <chrono>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace seckill::testing {

class ChildProcess {
 public:
  /// Starts argv[0] (looked up in PATH) with the given arguments; stdout and stderr go to
  /// `log_path` (appended) if it is not empty. Throws std::runtime_error if it cannot start.
  explicit ChildProcess(std::vector<std::string> argv, std::string log_path = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;

  pid_t pid() const { return pid_; }
  bool running();
  const std::string& log_path() const { return log_path_; }

  /// Sends `signal` and returns at once (the process is still to be waited for: wait()).
  void signal(int signal);

  /// Sends `signal`; with SIGTERM waits up to `grace` and then sends SIGKILL. Returns the exit
  /// status as from waitpid, or -1 if it was not running.
  int stop(int signal, std::chrono::milliseconds grace = std::chrono::seconds(10));
  /// Waits for the child to exit by itself, up to `timeout` (then SIGKILL). Returns the status
  /// as from waitpid, or -1 if it was not running.
  int wait(std::chrono::milliseconds timeout);
  void kill_hard();  ///< SIGKILL and reap: the "kill -9" of chaos tests.
  void pause();      ///< SIGSTOP
  void resume();     ///< SIGCONT

  /// The lines of sanitizer reports this process wrote to its log so far (ASan, UBSan, LSan,
  /// TSan), each with the line after it; empty without a log.
  std::vector<std::string> sanitizer_reports() const;

 private:
  void expect_no_sanitizer_report();

  pid_t pid_ = -1;
  std::string log_path_;
  std::uintmax_t log_start_ = 0;  // the log's size when this process started
  bool scanned_ = false;
};

/// The grace the destructor gives a child after SIGTERM before SIGKILL.
inline constexpr std::chrono::seconds kStopGrace{15};

/// Sanitizer reports in `path` from byte `from` on (see ChildProcess::sanitizer_reports).
std::vector<std::string> sanitizer_reports_in(const std::string& path, std::uintmax_t from = 0);

/// Waits until something accepts TCP connections on 127.0.0.1:port, or throws after `timeout`.
void wait_for_port(unsigned short port,
                   std::chrono::milliseconds timeout = std::chrono::seconds(15));

}  // namespace seckill::testing
