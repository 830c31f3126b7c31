#include "http/response.hpp"

#include <charconv>
#include <stdexcept>

namespace seckill::http {
namespace {

bool has_forbidden_chars(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

void append_number(std::string& out, std::size_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

}  // namespace

void Response::set_header(std::string name, std::string value) {
  if (name.empty() || has_forbidden_chars(name) || has_forbidden_chars(value) ||
      name.find(':') != std::string::npos) {
    throw std::invalid_argument("invalid HTTP header");
  }
  headers_.emplace_back(std::move(name), std::move(value));
}

void Response::serialize_head(std::string& out, bool keep_alive, unsigned request_version) const {
  out.clear();
  auto code = static_cast<unsigned>(status_);
  out.append("HTTP/1.1 ");
  append_number(out, code);
  out.push_back(' ');
  out.append(beast_http::obsolete_reason(status_));
  out.append("\r\nServer: seckill\r\n");
  if (!content_type_.empty()) {
    out.append("Content-Type: ");
    out.append(content_type_);
    out.append("\r\n");
  }
  if (!request_id_.empty()) {
    out.append("X-Request-Id: ");
    out.append(request_id_);
    out.append("\r\n");
  }
  for (const auto& [name, value] : headers_) {
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
  }
  // 1xx, 204 and 304 carry no body and must not announce one (RFC 9110 8.6).
  bool bodiless = code < 200 || code == 204 || code == 304;
  if (!bodiless && !stream_) {
    out.append("Content-Length: ");
    append_number(out, body().size());
    out.append("\r\n");
  }
  if (!keep_alive) {
    out.append("Connection: close\r\n");
  } else if (request_version < 11) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
}

}  // namespace seckill::http
