#include "http/request_head.hpp"

#include <string>
#include <string_view>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>

namespace seckill::http {
namespace {

namespace bhttp = boost::beast::http;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

Failure bad(std::string message) {
  return Failure{ErrorCode::bad_request, std::move(message), {}};
}

}  // namespace

std::optional<Failure> check_request_head(const Request& request) {
  std::size_t te_lines = 0;
  std::string_view te;
  for (const auto& field : request) {
    if (field.name() != bhttp::field::transfer_encoding) continue;
    ++te_lines;
    te = std::string_view(field.value().data(), field.value().size());
  }
  if (te_lines > 0) {
    if (te_lines > 1 || !boost::beast::iequals(trim(te), "chunked")) {
      return bad("Transfer-Encoding other than 'chunked' alone is not supported");
    }
    if (request.version() < 11) return bad("Transfer-Encoding is not allowed in HTTP/1.0");
    if (request.find(bhttp::field::content_length) != request.end()) {
      return bad("Transfer-Encoding and Content-Length together");
    }
  }
  // RFC 9112 3.2: an HTTP/1.1 request without Host, or with more than one, is a 400.
  const auto hosts = request.count(bhttp::field::host);
  if (hosts == 0 && request.version() >= 11) return bad("HTTP/1.1 request without Host");
  if (hosts > 1) return bad("more than one Host header field");
  return std::nullopt;
}

}  // namespace seckill::http
