#include "metrics/text_format.hpp"

#include <fmt/format.h>

namespace seckill::metrics {

void write_family(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void write_sample(std::string& out, std::string_view name, std::string_view labels,
                  std::uint64_t value) {
  if (labels.empty()) {
    fmt::format_to(std::back_inserter(out), "{} {}\n", name, value);
  } else {
    fmt::format_to(std::back_inserter(out), "{}{{{}}} {}\n", name, labels, value);
  }
}

void write_sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  if (labels.empty()) {
    fmt::format_to(std::back_inserter(out), "{} {}\n", name, value);
  } else {
    fmt::format_to(std::back_inserter(out), "{}{{{}}} {}\n", name, labels, value);
  }
}

void write_histogram(std::string& out, std::string_view name, std::string_view labels,
                     const LatencyHistograms::Snapshot& snapshot) {
  const std::string_view sep = labels.empty() ? "" : ",";
  for (std::size_t i = 0; i < kLatencyBounds.size(); ++i) {
    fmt::format_to(std::back_inserter(out), "{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep,
                   kLatencyBounds[i], snapshot.cumulative[i]);
  }
  fmt::format_to(std::back_inserter(out), "{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep,
                 snapshot.count());
  write_sample(out, std::string(name) + "_sum", labels, snapshot.sum_seconds);
  write_sample(out, std::string(name) + "_count", labels, snapshot.count());
}

std::string label(std::string_view key, std::string_view value) {
  std::string out(key);
  out += "=\"";
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace seckill::metrics
