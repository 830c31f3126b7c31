#include "app/child_processes.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdexcept>
#include <string_view>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

namespace seckill::app {
namespace {

/// Our environment with `env` set on top, as NAME=value strings.
// `environ` comes from <unistd.h> (glibc declares it there under _GNU_SOURCE, which g++ sets).
std::vector<std::string> merged_environment(const ChildEnvironment& env) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const auto name = entry.substr(0, entry.find('='));
    const bool replaced =
        std::any_of(env.begin(), env.end(), [&](const auto& kv) { return kv.first == name; });
    if (!replaced) out.emplace_back(entry);
  }
  for (const auto& [name, value] : env)
    out.push_back(name + "=" + value);
  return out;
}

pid_t spawn(const std::vector<std::string>& argv, const std::string& log_path,
            const std::string& run_as, const ChildEnvironment& env) {
  if (argv.empty()) throw std::runtime_error("nothing to start");
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::vector<std::string> env_strings = merged_environment(env);
  std::vector<char*> envp;
  for (const auto& e : env_strings)
    envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  uid_t uid = 0;
  gid_t gid = 0;
  const bool switch_user = !run_as.empty() && geteuid() == 0;
  if (switch_user) {
    const passwd* pw = getpwnam(run_as.c_str());
    if (pw == nullptr)
      throw std::runtime_error(fmt::format("no user '{}' to run {}", run_as, argv[0]));
    uid = pw->pw_uid;
    gid = pw->pw_gid;
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
  if (pid == 0) {
    if (!log_path.empty()) {
      const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
      }
    }
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    // Its own process group: a Ctrl-C in the terminal reaches the demo, which stops them in order.
    setpgid(0, 0);
    if (switch_user) {
      if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0) _exit(126);
    }
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(125);  // the demo died before the line above
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execvpe(args[0], args.data(), envp.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

ServeChild serve_child(const std::string& self, std::vector<std::string> flags,
                       const std::string& jwt_secret) {
  ServeChild child;
  child.argv.reserve(flags.size() + 2);
  child.argv.push_back(self);
  child.argv.emplace_back("serve");
  for (auto& f : flags)
    child.argv.push_back(std::move(f));
  child.env.emplace_back("SECKILL_JWT_SECRET", jwt_secret);
  return child;
}

ChildProcesses::~ChildProcesses() {
  stop_all();
}

pid_t ChildProcesses::start(const std::vector<std::string>& argv, const std::string& log_path,
                            const std::string& run_as, int stop_signal,
                            const ChildEnvironment& env) {
  const pid_t pid = spawn(argv, log_path, run_as, env);
  children_.push_back(Child{pid, stop_signal});
  return pid;
}

int ChildProcesses::run(const std::vector<std::string>& argv, const std::string& log_path,
                        const std::string& run_as, std::chrono::milliseconds timeout) {
  const pid_t pid = spawn(argv, log_path, run_as, {});
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return -1;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool ChildProcesses::running(pid_t pid) {
  auto it = std::find_if(children_.begin(), children_.end(),
                         [pid](const Child& c) { return c.pid == pid; });
  if (it == children_.end()) return false;
  int status = 0;
  if (waitpid(pid, &status, WNOHANG) == pid) {
    children_.erase(it);
    return false;
  }
  return true;
}

int ChildProcesses::stop(pid_t pid, std::chrono::milliseconds grace) {
  auto it = std::find_if(children_.begin(), children_.end(),
                         [pid](const Child& c) { return c.pid == pid; });
  if (it == children_.end()) return -1;
  const int signal = it->stop_signal;
  children_.erase(it);
  int status = 0;
  if (waitpid(pid, &status, WNOHANG) == pid) return status;
  kill(pid, signal);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (;;) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return status;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void ChildProcesses::stop_all() {
  while (!children_.empty())
    stop(children_.back().pid);
}

}  // namespace seckill::app
