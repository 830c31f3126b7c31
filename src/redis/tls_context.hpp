#pragma once
// The TLS settings of `rediss://` connections: whose certificates we trust, who we are.

#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace seckill::redis {

/// The files of `--redis-tls-ca`, `--redis-tls-cert` and `--redis-tls-key` (PEM).
struct TlsFiles {
  /// CA certificate(s) the server's certificate must chain to; empty: the system's.
  std::string ca_file;
  /// A client certificate (chain) and its key, for servers that ask for one; both or neither.
  std::string cert_file;
  std::string key_file;
};

/// A client context: TLS 1.2 or newer, the peer verified against `files.ca_file` (or the
/// system's CAs), the client certificate loaded if given. Shared by every connection made with
/// it (ConnectionOptions::tls_context); each connection also checks the server's name or IP
/// against its certificate. Throws std::invalid_argument naming the flag whose file cannot be
/// used.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsFiles& files);

/// The context for a URL that asks for TLS (`url_tls`: rediss://) or any of `files` given, else
/// null (plain TCP). Throws as make_tls_context.
std::shared_ptr<boost::asio::ssl::context> tls_context_for(bool url_tls, const TlsFiles& files);

}  // namespace seckill::redis
