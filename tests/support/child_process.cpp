#include "support/child_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdexcept>
#include <string_view>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>

#include <gtest/gtest.h>

extern char** environ;

namespace seckill::testing {

ChildProcess::ChildProcess(std::vector<std::string> argv, std::string log_path)
    : log_path_(std::move(log_path)) {
  if (!log_path_.empty()) {
    std::error_code ec;
    auto size = std::filesystem::file_size(log_path_, ec);
    log_start_ = ec ? 0 : size;
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (auto& a : argv)
    args.push_back(a.data());
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!log_path_.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  }
  int rc = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) stop(SIGTERM, kStopGrace);
  expect_no_sanitizer_report();
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      log_path_(std::exchange(other.log_path_, {})),
      log_start_(other.log_start_),
      scanned_(std::exchange(other.scanned_, true)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0) stop(SIGTERM, kStopGrace);
    expect_no_sanitizer_report();
    pid_ = std::exchange(other.pid_, -1);
    log_path_ = std::exchange(other.log_path_, {});
    log_start_ = other.log_start_;
    scanned_ = std::exchange(other.scanned_, true);
  }
  return *this;
}

void ChildProcess::signal(int signal) {
  if (pid_ > 0) ::kill(pid_, signal);
}

std::vector<std::string> ChildProcess::sanitizer_reports() const {
  if (log_path_.empty()) return {};
  return sanitizer_reports_in(log_path_, log_start_);
}

void ChildProcess::expect_no_sanitizer_report() {
  if (scanned_ || log_path_.empty()) return;
  scanned_ = true;
  auto reports = sanitizer_reports();
  if (reports.empty()) return;
  std::string text;
  for (const auto& r : reports)
    text += r + "\n";
  ADD_FAILURE() << "sanitizer report in " << log_path_ << ":\n" << text;
}

std::vector<std::string> sanitizer_reports_in(const std::string& path, std::uintmax_t from) {
  static constexpr std::string_view kMarks[] = {"ERROR: AddressSanitizer",
                                                "runtime error:", "ERROR: LeakSanitizer",
                                                "WARNING: ThreadSanitizer"};
  std::ifstream in(path);
  in.seekg(static_cast<std::streamoff>(from));
  std::vector<std::string> out;
  std::string line;
  bool take_next = false;
  while (std::getline(in, line)) {
    if (take_next) {
      out.back() += "\n" + line;
      take_next = false;
    }
    for (auto mark : kMarks) {
      if (line.find(mark) != std::string::npos) {
        out.push_back(line);
        take_next = true;
        break;
      }
    }
  }
  return out;
}

bool ChildProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

int ChildProcess::stop(int signal, std::chrono::milliseconds grace) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGCONT);  // a paused child cannot act on SIGTERM
  if (signal != 0) ::kill(pid_, signal);
  auto deadline = std::chrono::steady_clock::now() + grace;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

int ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  // Signal 0 delivers nothing: stop() then only waits, and kills once `timeout` has passed.
  return stop(0, timeout);
}

void ChildProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void ChildProcess::pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void ChildProcess::resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

void wait_for_port(unsigned short port, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (ok) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("nothing listens on 127.0.0.1:" + std::to_string(port));
}

}  // namespace seckill::testing
