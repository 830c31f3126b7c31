#include "redis/tls_context.hpp"

#include <stdexcept>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/system_error.hpp>

namespace seckill::redis {

namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context> tls_context_for(bool url_tls, const TlsFiles& files) {
  const bool any_file =
      !files.ca_file.empty() || !files.cert_file.empty() || !files.key_file.empty();
  if (!url_tls && !any_file) return nullptr;
  return make_tls_context(files);
}

std::shared_ptr<ssl::context> make_tls_context(const TlsFiles& files) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  context->set_verify_mode(ssl::verify_peer);
  auto use = [](const char* flag, const std::string& file, auto&& load) {
    try {
      load();
    } catch (const boost::system::system_error& e) {
      throw std::invalid_argument(std::string(flag) + " '" + file + "': " + e.code().message());
    }
  };
  if (files.ca_file.empty()) {
    use("--redis-tls-ca", "(the system's CAs)", [&] { context->set_default_verify_paths(); });
  } else {
    use("--redis-tls-ca", files.ca_file, [&] { context->load_verify_file(files.ca_file); });
  }
  if (files.cert_file.empty() != files.key_file.empty()) {
    throw std::invalid_argument(files.cert_file.empty()
                                    ? "--redis-tls-key: needs --redis-tls-cert too"
                                    : "--redis-tls-cert: needs --redis-tls-key too");
  }
  if (!files.cert_file.empty()) {
    use("--redis-tls-cert", files.cert_file,
        [&] { context->use_certificate_chain_file(files.cert_file); });
    use("--redis-tls-key", files.key_file,
        [&] { context->use_private_key_file(files.key_file, ssl::context::pem); });
  }
  return context;
}

}  // namespace seckill::redis
