#pragma once
// A child process a test starts (a seckill server, a private redis-server) and stops by its pid,
// never by name. The destructor kills it if the test forgot or failed half-way.

#include <chrono>
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

  /// Sends `signal`; with SIGTERM waits up to `grace` and then sends SIGKILL. Returns the exit
  /// status as from waitpid, or -1 if it was not running.
  int stop(int signal, std::chrono::milliseconds grace = std::chrono::seconds(10));
  /// Waits for the child to exit by itself, up to `timeout` (then SIGKILL). Returns the status
  /// as from waitpid.
  int wait(std::chrono::milliseconds timeout);
  void kill_hard();  ///< SIGKILL and reap: the "kill -9" of chaos tests.
  void pause();      ///< SIGSTOP
  void resume();     ///< SIGCONT

 private:
  pid_t pid_ = -1;
};

/// Waits until something accepts TCP connections on 127.0.0.1:port, or throws after `timeout`.
void wait_for_port(unsigned short port,
                   std::chrono::milliseconds timeout = std::chrono::seconds(15));

}  // namespace seckill::testing
