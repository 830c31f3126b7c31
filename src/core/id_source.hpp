#pragma once
// Where use cases get new 64-bit ids (orders, vouchers, reminder records). Implemented by the
// id generator (src/id); the use cases only see this.

#include <cstdint>

#include <boost/asio/awaitable.hpp>

namespace seckill {

class IdSource {
 public:
  virtual ~IdSource() = default;
  /// A new id, greater than every id this process handed out before. Throws InfraError when no
  /// id can be had (the sequence backend is down and the buffered block is used up).
  virtual boost::asio::awaitable<std::uint64_t> next_id() = 0;
};

}  // namespace seckill
