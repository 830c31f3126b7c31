#pragma once
// A small blocking HTTP/1.1 client for system tests: one keep-alive connection, reconnected when
// the server closes it. Not for load (that is `seckill bench`); for asserting answers.

#include <memory>
#include <string>

#include <boost/json/value.hpp>

namespace seckill::testing {

struct HttpAnswer {
  int status = 0;  ///< 0: no answer (connection refused or broken)
  std::string body;
  std::string retry_after;  ///< the Retry-After header, if any
  /// The request was sent twice: the first connection broke (or was closed without an answer)
  /// after the request went out, so the first copy's outcome is unknown.
  bool resent = false;

  /// The body as JSON (null if it is not JSON).
  boost::json::value json() const;
  /// The contract's error code ("sold_out"), or "" when the body is not an error body.
  std::string error_code() const;
};

class HttpClient {
 public:
  HttpClient(std::string host, unsigned short port);
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  /// One request; `token` becomes `Authorization: Bearer <token>` when not empty. Never throws
  /// for network trouble: a failed exchange is status 0.
  HttpAnswer request(const std::string& method, const std::string& target,
                     const std::string& token = {}, const std::string& body = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace seckill::testing
