#include "loadgen/response_head.hpp"

#include <cctype>

namespace seckill::loadgen {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

ResponseHead parse_response_head(std::string_view bytes) {
  ResponseHead head;
  const auto end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (bytes.size() > 64 * 1024) head.state = ResponseHead::State::malformed;
    return head;
  }
  head.head_size = end + 4;
  std::string_view rest = bytes.substr(0, end + 2);
  const auto line_end = rest.find("\r\n");
  const std::string_view status_line = rest.substr(0, line_end);
  rest.remove_prefix(line_end + 2);
  // "HTTP/1.1 201 Created"
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.") || status_line[8] != ' ') {
    head.state = ResponseHead::State::malformed;
    return head;
  }
  int status = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    const char c = status_line[i];
    if (c < '0' || c > '9') {
      head.state = ResponseHead::State::malformed;
      return head;
    }
    status = status * 10 + (c - '0');
  }
  head.status = status;
  head.close = status_line.starts_with("HTTP/1.0");
  while (!rest.empty()) {
    const auto eol = rest.find("\r\n");
    const std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol + 2);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const auto name = line.substr(0, colon);
    const auto value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      std::size_t n = 0;
      for (char c : value) {
        if (c < '0' || c > '9') {
          head.state = ResponseHead::State::malformed;
          return head;
        }
        n = n * 10 + static_cast<std::size_t>(c - '0');
      }
      head.content_length = n;
    } else if (iequals(name, "connection")) {
      head.close = iequals(value, "close");
    } else if (iequals(name, "transfer-encoding")) {
      head.state = ResponseHead::State::malformed;  // not sent by the service
      return head;
    }
  }
  head.state = ResponseHead::State::complete;
  return head;
}

std::string_view error_code_of(std::string_view body) {
  const auto key = body.find("\"code\"");
  if (key == std::string_view::npos) return {};
  auto open = body.find('"', body.find(':', key + 6));
  if (open == std::string_view::npos) return {};
  const auto close = body.find('"', open + 1);
  if (close == std::string_view::npos) return {};
  return body.substr(open + 1, close - open - 1);
}

}  // namespace seckill::loadgen
