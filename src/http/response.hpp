#pragma once
// What a handler answers: a status, a body and a few headers. The server writes it itself (status
// line, headers and body in one gathered write) instead of through Beast's serializer, which
// keeps a response to one small allocation or none.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/status.hpp>

#include "http/stream_writer.hpp"

namespace seckill::http {

namespace beast_http = boost::beast::http;

inline constexpr std::string_view kJsonContentType = "application/json";

class Response {
 public:
  /// A response owning `body`. `content_type` must have static storage (a string literal); for a
  /// computed one use set_header("Content-Type", ...) and an empty `content_type`.
  Response(beast_http::status status, std::string body,
           std::string_view content_type = kJsonContentType)
      : status_(status), owned_(std::move(body)), content_type_(content_type) {}

  /// A response whose body has static storage (a precomputed answer): nothing is copied.
  static Response from_static(beast_http::status status, std::string_view static_body,
                              std::string_view content_type = kJsonContentType) {
    Response r(status, std::string(), content_type);
    r.static_body_ = static_body;
    r.is_static_ = true;
    return r;
  }

  beast_http::status status() const { return status_; }
  std::string_view body() const { return is_static_ ? static_body_ : std::string_view(owned_); }
  std::string_view content_type() const { return content_type_; }

  /// Adds a header. Throws std::invalid_argument if the name is empty or either holds CR, LF or
  /// NUL (header injection). Content-Length, Connection and Server are set by the server, and
  /// so are X-Content-Type-Options, X-Frame-Options and Referrer-Policy (on every answer), and
  /// `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` unless this
  /// response sets its own Content-Security-Policy.
  void set_header(std::string name, std::string value);
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }

  /// The `X-Request-Id` header, kept apart from headers() so that the server's echo on every
  /// answer costs no allocation (ids of up to 15 characters stay in the string's own buffer).
  void set_request_id(std::string id) { request_id_ = std::move(id); }
  /// Asks the server to close the connection without sending this response: for an outcome it
  /// does not know (OutcomeUnknownError), where any answer could be a lie.
  void withhold() {
    withheld_ = true;
    close_ = true;
  }
  bool withheld() const { return withheld_; }

  /// Asks the server to close the connection after this response.
  void close_connection() { close_ = true; }
  bool closes_connection() const { return close_; }

  /// Makes this a streamed response (server-sent events): the head goes out without a
  /// Content-Length, then the server runs `stream` on the connection and closes it afterwards.
  void set_stream(BodyStream stream) {
    stream_ = std::make_shared<BodyStream>(std::move(stream));
    close_ = true;
  }
  const std::shared_ptr<BodyStream>& stream() const { return stream_; }

  /// Writes the status line and headers, ending with the blank line, into `out` (cleared first;
  /// its capacity is reused). `keep_alive` decides the Connection header; `request_version` is
  /// 10 or 11 (an HTTP/1.0 client is told `Connection: keep-alive` explicitly).
  void serialize_head(std::string& out, bool keep_alive, unsigned request_version) const;

 private:
  beast_http::status status_;
  std::string owned_;
  std::string_view static_body_;
  bool is_static_ = false;
  bool close_ = false;
  bool withheld_ = false;
  bool own_csp_ = false;
  std::string_view content_type_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::shared_ptr<BodyStream> stream_;
  std::string request_id_;
};

}  // namespace seckill::http
