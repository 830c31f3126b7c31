#pragma once
// The process's limit on open file descriptors (RLIMIT_NOFILE), which caps its connections.

#include <cstdint>
#include <optional>

namespace seckill::app {

struct OpenFilesLimit {
  std::uint64_t soft_before = 0;
  std::uint64_t soft = 0;  ///< the soft limit in force now
  std::uint64_t hard = 0;
  /// Set when raising failed (then soft == soft_before): errno's text.
  std::optional<int> error;
};

/// Raises the soft limit on open files to the hard limit (a hard limit of "unlimited" is
/// capped at the kernel's fs.nr_open, the most setrlimit accepts). Many systems start services
/// with a soft limit of 1024, which `accept` hits near 1000 connections; the hard limit is what
/// the administrator allows (systemd's LimitNOFILE). Never throws.
OpenFilesLimit raise_open_files_limit();

/// Descriptors `serve` needs besides its HTTP connections: listeners, backend connection pools,
/// the store's files, logs, the event loop's own. Generous on purpose.
inline constexpr std::uint64_t kOpenFilesReserve = 256;

}  // namespace seckill::app
