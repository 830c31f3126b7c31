#include "http/client_key.hpp"

#include <algorithm>

namespace seckill::http {

namespace asio = boost::asio;

ClientKey ClientKey::of(const asio::ip::address& address) {
  ClientKey key;
  if (address.is_v4()) {
    key.bytes_ = asio::ip::make_address_v6(asio::ip::v4_mapped, address.to_v4()).to_bytes();
    key.v4_ = true;
  } else if (address.is_v6()) {
    key.bytes_ = address.to_v6().to_bytes();
    key.v4_ = address.to_v6().is_v4_mapped();
    if (!key.v4_) std::fill(key.bytes_.begin() + 8, key.bytes_.end(), std::uint8_t{0});
  }
  return key;
}

std::string ClientKey::to_string() const {
  const asio::ip::address_v6 v6(bytes_);
  if (v4_) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string();
  return v6.to_string() + "/64";
}

}  // namespace seckill::http
