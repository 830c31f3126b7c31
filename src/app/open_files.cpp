#include "app/open_files.hpp"

#include <cerrno>
#include <fstream>
#include <sys/resource.h>

namespace seckill::app {

OpenFilesLimit raise_open_files_limit() {
  OpenFilesLimit out;
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) {
    out.error = errno;
    return out;
  }
  out.soft_before = out.soft = rl.rlim_cur;
  out.hard = rl.rlim_max;
  rlim_t target = rl.rlim_max;
  if (target == RLIM_INFINITY) {
    std::ifstream nr_open("/proc/sys/fs/nr_open");
    std::uint64_t most = 0;
    target = nr_open >> most && most > 0 ? static_cast<rlim_t>(most) : rlim_t{1} << 20;
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= target) return out;
  rl.rlim_cur = target;
  if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) {
    out.error = errno;
    return out;
  }
  out.soft = target;
  return out;
}

}  // namespace seckill::app
