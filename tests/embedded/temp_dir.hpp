#pragma once
// Test helpers of the embedded mode: a private directory under /tmp, removed at the end, and
// ways to run coroutines to completion.

#include <cstdlib>
#include <filesystem>
#include <future>
#include <stdexcept>
#include <string>
#include <system_error>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace seckill::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/seckill-embedded-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Runs `a` on `io` until it is done (and whatever else `io` has to do meanwhile).
template <class T>
T run_on(boost::asio::io_context& io, boost::asio::awaitable<T> a) {
  auto f = boost::asio::co_spawn(io, std::move(a), boost::asio::use_future);
  io.restart();
  io.run();
  return f.get();
}

/// The same on a fresh io_context.
template <class T>
T run(boost::asio::awaitable<T> a) {
  boost::asio::io_context io;
  return run_on(io, std::move(a));
}

}  // namespace seckill::testing
