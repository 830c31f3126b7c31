#include "http/response.hpp"

#include <charconv>
#include <stdexcept>

namespace seckill::http {
namespace {

bool has_forbidden_chars(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

/// Sent on every answer, errors included (a browser may render any of them): no MIME sniffing,
/// no framing by another site (clickjacking), no Referer leaking a URL with a token in it.
/// One literal, so an answer pays one append for all of them.
constexpr std::string_view kSecurityHeaders =
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\n";
/// The policy of an answer that sets none itself (every JSON answer): load nothing, be framed
/// by no one. A page that needs more (the dashboard) sets its own, with frame-ancestors 'none'.
constexpr std::string_view kDefaultCsp =
    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n";

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
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
  if (iequals(name, "Content-Security-Policy")) own_csp_ = true;
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
  out.append(kSecurityHeaders);
  if (!own_csp_) out.append(kDefaultCsp);
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
